// Where archive bytes come from: a file read in order (tar), a gzip file inflated as a
// stream (tar.gz), a file read at offsets (zip's directory points anywhere), or memory.
// Archives are never read into memory whole: pix2pix's edges2shoes.tar.gz is 2 GB.
import CVisionShim
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Bytes read in order; `read` returns fewer than asked only at the end.
protocol SequentialInput: AnyObject {
    func read(_ count: Int) throws -> [UInt8]
}

/// Bytes read at any offset.
protocol RandomAccessInput: AnyObject {
    var size: Int { get }
    func read(at offset: Int, count: Int) throws -> [UInt8]
}

/// An archive already in memory (small archives and tests).
final class MemoryInput: SequentialInput, RandomAccessInput {
    private let bytes: [UInt8]
    private var position = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var size: Int { bytes.count }

    func read(_ count: Int) throws -> [UInt8] {
        let chunk = try read(at: position, count: count)
        position += chunk.count
        return chunk
    }

    func read(at offset: Int, count: Int) throws -> [UInt8] {
        let start = min(max(offset, 0), bytes.count)
        return Array(bytes[start ..< min(bytes.count, start + count)])
    }
}

/// A file read with pread, in order or at offsets.
final class FileInput: SequentialInput, RandomAccessInput {
    private let file: RandomAccessFile
    private var position = 0
    var size: Int { file.size }

    init(_ url: URL) throws {
        file = try RandomAccessFile(url)
    }

    func read(_ count: Int) throws -> [UInt8] {
        let chunk = try read(at: position, count: count)
        position += chunk.count
        return chunk
    }

    func read(at offset: Int, count: Int) throws -> [UInt8] {
        try file.read(at: offset, count: count)
    }
}

/// A gzip file inflated as it is read.
final class GzipFileInput: SequentialInput {
    private let reader: OpaquePointer
    private let path: String

    init(_ url: URL) throws {
        let path = url.path
        self.path = path
        let head = try FileInput(url).read(at: 0, count: 2)
        guard Gzip.isGzip(head) else { throw DataError(.corrupt, file: path, "not gzip data (no 1f 8b header)") }
        var message = [CChar](repeating: 0, count: Int(SG_MESSAGE_SIZE))
        guard let reader = message.withUnsafeMutableBufferPointer({ sg_gz_open(path, $0.baseAddress) }) else {
            throw DataError(.unreadable, file: path, cMessage(message))
        }
        self.reader = reader
    }

    deinit { sg_gz_close(reader) }

    func read(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var message = [CChar](repeating: 0, count: Int(SG_MESSAGE_SIZE))
        let n = out.withUnsafeMutableBufferPointer { buffer in
            message.withUnsafeMutableBufferPointer { sg_gz_read(reader, buffer.baseAddress, count, $0.baseAddress) }
        }
        guard n >= 0 else { throw DataError(.corrupt, file: path, cMessage(message)) }
        if n < count { out.removeLast(count - n) }
        return out
    }
}
