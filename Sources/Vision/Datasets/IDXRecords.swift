// An IDX file read one record (a slice along its first dimension) at a time. A plain file
// stays on disk and each record is read when asked, so a dataset costs the process no
// memory of its own (the kernel's page cache holds it, shared and reclaimable); a gzipped
// file cannot be read in pieces and is inflated into memory.
import Foundation

/// The records of an unsigned-byte IDX file: images along the first dimension.
public final class IDXRecords: Sendable {
    public let dimensions: [Int]
    /// The file's path, for messages.
    public let path: String
    private let source: Source

    private enum Source: Sendable {
        case file(RandomAccessFile, dataOffset: Int)
        case memory([UInt8])
    }

    /// The number of records (the first dimension).
    public var count: Int { dimensions[0] }
    /// Bytes per record (the product of the other dimensions).
    public var recordSize: Int { dimensions.dropFirst().reduce(1, *) }

    /// Opens an IDX file, gzipped or not, and checks its header against its size.
    public init(contentsOf url: URL) throws {
        path = url.path
        let file = try RandomAccessFile(url)
        let head = try file.read(at: 0, count: IDXHeader.maximumSize)
        if Gzip.isGzip(head) {
            let array = try IDXArray(decoding: try file.read(at: 0, count: file.size), file: path)
            dimensions = array.dimensions
            source = .memory(array.bytes)
        } else {
            let header = try IDXHeader(head, file: path)
            try header.check(fileSize: file.size, file: path)
            dimensions = header.dimensions
            source = .file(file, dataOffset: header.size)
            file.prefetch()   // the first epoch reads at random offsets
        }
    }

    /// The bytes of records `range`, one after the other.
    public func records(_ range: Range<Int>) throws -> [UInt8] {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "records \(range) of \(count)")
        let size = recordSize
        switch source {
        case .memory(let bytes):
            return Array(bytes[range.lowerBound * size ..< range.upperBound * size])
        case .file(let file, let dataOffset):
            var out = [UInt8](repeating: 0, count: range.count * size)
            try out.withUnsafeMutableBytes { try file.read(at: dataOffset + range.lowerBound * size, into: $0) }
            return out
        }
    }
}
