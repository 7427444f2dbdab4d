// IDX arrays as the MNIST loader reads them, gzipped or not.
import Vision

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? IDXArray(decoding: Array(UnsafeBufferPointer(start: data, count: size)), file: "fuzz")
    return 0
}
