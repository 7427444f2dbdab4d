// Write-to-temporary-then-rename, so readers see the old file or the new one, never half.
import Foundation

enum AtomicFile {
    /// An open temporary file that `AtomicFile.write` renames into place when the body returns.
    struct Sink {
        fileprivate let fd: Int32
        fileprivate let path: String

        /// Writes all of `raw`, retrying short writes and EINTR.
        func write(_ raw: UnsafeRawBufferPointer) throws(SafeTensorsError) {
            var written = 0
            while written < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SafeTensorsError(file: path, problem: .cannotWrite(String(cString: strerror(errno))))
                }
                written += n
            }
        }

        func write(_ bytes: [UInt8]) throws(SafeTensorsError) {
            let failure = bytes.withUnsafeBytes { raw -> SafeTensorsError? in
                do throws(SafeTensorsError) { try write(raw); return nil } catch { return error }
            }
            if let failure { throw failure }
        }
    }

    static func write(_ bytes: [UInt8], to path: String) throws(SafeTensorsError) {
        try write(to: path) { (sink) throws(SafeTensorsError) in try sink.write(bytes) }
    }

    /// Streams the file's contents through `body` into a temporary file beside `path`, then
    /// flushes it and renames it over `path`. On any error the temporary file is removed.
    static func write(to path: String, _ body: (Sink) throws(SafeTensorsError) -> Void) throws(SafeTensorsError) {
        func fail(_ why: String) -> SafeTensorsError { SafeTensorsError(file: path, problem: .cannotWrite(why)) }
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let temp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw fail("cannot create \(temp): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            try body(Sink(fd: fd, path: path))
        } catch {
            close(fd)
            throw error
        }
        guard fsync(fd) == 0 else { let e = String(cString: strerror(errno)); close(fd); throw fail("fsync: \(e)") }
        guard close(fd) == 0 else { throw fail("close: \(String(cString: strerror(errno)))") }
        guard rename(temp, path) == 0 else { throw fail("rename: \(String(cString: strerror(errno)))") }
        ok = true
    }
}
