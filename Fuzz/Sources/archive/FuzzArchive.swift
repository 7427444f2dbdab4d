// The tar, tar.gz and zip archives `gan data` unpacks; every member is read.
import Vision

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArchive(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for kind in [ArchiveKind.tar, .tarGzip, .zip] {
        guard let entries = try? kind.entries(of: bytes, file: "fuzz") else { continue }
        for entry in entries { _ = try? entry.contents() }
    }
    return 0
}
