// .npy arrays (`gan eval FILE.npy`, `gan sample --z FILE.npy`).
import Vision

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let tensor = try? NPY.decode(Array(UnsafeBufferPointer(start: data, count: size)), file: "fuzz") else { return 0 }
    _ = try? NPY.decode(NPY.encode(tensor), file: "fuzz")
    return 0
}
