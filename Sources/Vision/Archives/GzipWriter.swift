// gzip output through zlib. Large buffers are cut into pieces compressed on all cores and
// written as consecutive gzip members, which every gzip reader (and `Gzip.inflate`) joins.
import CVisionShim
import Foundation

enum GzipWriter {
    /// Bytes per member: large enough that the members' headers and restarted dictionaries
    /// cost nothing measurable, small enough to share the work between cores.
    static let pieceSize = 8 << 20

    /// `bytes` as gzip at `level` (1 fastest ... 9 smallest); `file` names the output in errors.
    static func compress(_ bytes: [UInt8], level: Int32, file: String) throws -> [UInt8] {
        let pieces = max(1, (bytes.count + pieceSize - 1) / pieceSize)
        let results = Results(count: pieces)
        bytes.withUnsafeBufferPointer { buffer in
            nonisolated(unsafe) let input = buffer  // read-only from every worker
            DispatchQueue.concurrentPerform(iterations: pieces) { k in
                let start = k * pieceSize, end = min(bytes.count, start + pieceSize)
                var out: UnsafeMutablePointer<UInt8>?
                var size = 0
                var message = [CChar](repeating: 0, count: Int(SG_MESSAGE_SIZE))
                let status = message.withUnsafeMutableBufferPointer {
                    sg_gzip(input.baseAddress.map { $0 + start }, end - start, level, &out, &size, $0.baseAddress)
                }
                if status == 0, let out {
                    results.set(k, .success(Array(UnsafeBufferPointer(start: out, count: size))))
                    sg_free(out)
                } else {
                    results.set(k, .failure(DataError(.unwritable, file: file, "cannot compress: \(cMessage(message))")))
                }
            }
        }
        var joined = [UInt8]()
        for result in results.values { joined += try result!.get() }
        return joined
    }

    /// One slot per piece, filled from the worker threads.
    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var values: [Result<[UInt8], DataError>?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Result<[UInt8], DataError>) { lock.lock(); values[index] = value; lock.unlock() }
    }
}
