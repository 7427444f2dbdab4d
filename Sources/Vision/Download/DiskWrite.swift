// Writing through POSIX calls, so that a full disk (ENOSPC) or a file-size limit (EFBIG,
// e.g. `ulimit -f` or a quota) is recognised and reported as such, naming the path.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum DiskWrite {
    /// An open file being written; `written` counts the bytes written through it.
    final class Output {
        let path: String
        private let descriptor: Int32
        private(set) var written: Int64 = 0

        /// Opens `path` for writing, appending to what is there or starting empty.
        init(path: String, append: Bool) throws {
            self.path = path
            let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
            descriptor = open(path, flags, 0o644)
            guard descriptor >= 0 else { throw DiskWrite.error(errno, path: path, doing: "cannot create") }
        }

        func write(_ bytes: UnsafeRawBufferPointer) throws {
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DiskWrite.error(errno, path: path, doing: "cannot write")
                }
                offset += n
                written += Int64(n)
            }
        }

        func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

        /// Flushes to the disk, so a full disk shows here rather than after the rename.
        func finish() throws {
            if fsync(descriptor) != 0, errno != EINVAL { throw DiskWrite.error(errno, path: path, doing: "cannot write") }
        }

        deinit { close(descriptor) }
    }

    /// Writes `bytes` as the whole content of `path`.
    static func file(_ bytes: [UInt8], to path: String) throws {
        let output = try Output(path: path, append: false)
        try output.write(bytes)
    }

    /// One sentence for a failed write; a full disk and a size limit say so plainly.
    static func error(_ code: Int32, path: String, doing: String) -> DataError {
        switch code {
        case ENOSPC, EDQUOT:
            return DataError(.unwritable, file: path, "the disk is full (no space left on device); free some space and run the same command again")
        case EFBIG:
            return DataError(.unwritable, file: path, "the file size limit was reached (file too large: a ulimit, quota or file-system limit); raise it or choose another folder and run the same command again")
        default:
            return DataError(.unwritable, file: path, "\(doing): \(String(cString: strerror(code)))")
        }
    }
}
