// CelebA's list_attr_celeba.txt.
import Vision

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAttributes(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? CelebAAttributeTable(parsing: Array(UnsafeBufferPointer(start: data, count: size)), file: "fuzz")
    return 0
}
