// Write-to-temporary-then-rename, so readers see the old file or the new one, never half.
import Foundation

enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String) throws(SafeTensorsError) {
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
        var written = 0
        let failure: String? = bytes.withUnsafeBytes { raw -> String? in
            while written < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                written += n
            }
            return nil
        }
        if let failure { close(fd); throw fail(failure) }
        guard fsync(fd) == 0 else { let e = String(cString: strerror(errno)); close(fd); throw fail("fsync: \(e)") }
        guard close(fd) == 0 else { throw fail("close: \(String(cString: strerror(errno)))") }
        guard rename(temp, path) == 0 else { throw fail("rename: \(String(cString: strerror(errno)))") }
        ok = true
    }
}
