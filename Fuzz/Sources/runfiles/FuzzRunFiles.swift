// The files of a run folder that `--resume`, `gan sample --checkpoint` and `gan eval` read back:
// a checkpoint's state.json, config.json, and metrics.jsonl (kept up to the checkpoint).
import Foundation
import GANs
import Vision

// In memory where the system has /dev/shm, so the fsyncs of each execution cost nothing.
let scratch = URL(fileURLWithPath: FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
let folder = scratch.appendingPathComponent("fuzz-runfiles-\(getpid())")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRunFiles(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if !FileManager.default.fileExists(atPath: folder.path) {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: folder) }
    }
    let bytes = Data(bytes: data, count: size)
    for name in ["state.json", "config.json", "metrics.jsonl"] {
        guard (try? bytes.write(to: folder.appendingPathComponent(name))) != nil else { return 0 }
    }
    _ = try? Checkpoint.readManifest(folder)
    _ = try? JSONSerialization.jsonObject(with: Data(FileIO.read(folder.appendingPathComponent("config.json")))) as? [String: Any]
    _ = try? MetricsLog(url: folder.appendingPathComponent("metrics.jsonl"), resumeAfter: 1000).series
    return 0
}
