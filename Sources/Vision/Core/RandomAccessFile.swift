// A file open for reading at any offset (pread): safe from several threads at once, as it
// keeps no position of its own.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file open for reading at offsets; closed when the last reference goes.
public final class RandomAccessFile: Sendable {
    public let path: String
    /// The size when it was opened.
    public let size: Int
    private let descriptor: Int32

    /// Opens `url`, or says why it cannot be read.
    public init(_ url: URL) throws {
        path = url.path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "no such file" : "cannot be opened for reading: \(String(cString: strerror(errno)))"
            throw DataError(.unreadable, file: path, reason)
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR else {
            close(descriptor)
            throw DataError(.unreadable, file: path, "is a folder, not a file")
        }
        self.descriptor = descriptor
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    /// Asks the kernel to start reading the whole file into its cache, for a file that will
    /// be read at random offsets soon.
    public func prefetch() {
        _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_WILLNEED)
    }

    /// `count` bytes from `offset`, fewer only where the file (at its opening size) ends;
    /// throws if the file shrank since it was opened.
    public func read(at offset: Int, count: Int) throws -> [UInt8] {
        let wanted = max(0, min(count, size - offset))
        var out = [UInt8](repeating: 0, count: wanted)
        try out.withUnsafeMutableBytes { try read(at: offset, into: $0) }
        return out
    }

    /// The whole file: its opening size in one array, then whatever more there is (a file
    /// that grew, or one whose size says 0, as those in /proc).
    public func readAll() throws -> [UInt8] {
        var bytes = try read(at: 0, count: size)
        var chunk = [UInt8](repeating: 0, count: 65_536)   // apart, so a file that ends where it said is not copied to grow
        while true {
            let start = bytes.count
            let n = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, $0.count, off_t(start)) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw DataError(.unreadable, file: path, "read failed at byte \(start): \(String(cString: strerror(errno)))") }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<n])
        }
    }

    /// Fills `buffer` with the bytes from `offset`; throws if the file ends first.
    public func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw DataError(.unreadable, file: path, "read failed at byte \(offset + done): \(n < 0 ? String(cString: strerror(errno)) : "file shrank")") }
            done += n
        }
    }
}
