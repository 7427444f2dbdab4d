// The IDX format of the MNIST files: two zero bytes, a type code (0x08 = unsigned byte),
// the number of dimensions, then each dimension as a big-endian UInt32, then the data.
import Foundation

/// An unsigned-byte IDX array.
public struct IDXArray: Sendable {
    public let dimensions: [Int]
    public let bytes: [UInt8]

    /// Parses IDX bytes (already inflated); `file` names the source in errors. The data
    /// moves down over the header in place, so a large file is never held twice.
    public init(parsing data: consuming [UInt8], file: String) throws {
        var data = data
        let header = try IDXHeader(data, file: file)
        try header.check(fileSize: data.count, file: file)
        dimensions = header.dimensions
        data.removeFirst(header.size)
        bytes = data
    }

    /// Parses IDX bytes, gzipped or not (detected from its bytes).
    public init(decoding data: consuming [UInt8], file: String) throws {
        if Gzip.isGzip(data) {
            try self.init(parsing: try Gzip.inflate(data, file: file), file: file)
        } else {
            try self.init(parsing: data, file: file)
        }
    }

    /// Reads an IDX file, gzipped or not.
    public init(contentsOf url: URL) throws {
        try self.init(decoding: try FileIO.read(url), file: url.path)
    }
}

/// An IDX header: the dimensions and the header's length in bytes.
struct IDXHeader {
    let dimensions: [Int]
    let size: Int
    /// Bytes of data the dimensions call for.
    let payload: Int

    /// The longest header: the magic number and four dimensions.
    static let maximumSize = 4 + 4 * 4

    /// Parses the header at the start of `bytes` (which may hold more than the header).
    init(_ bytes: [UInt8], file: String) throws {
        guard bytes.count >= 4 else { throw DataError(.corrupt, file: file, "too short for an IDX header (\(bytes.count) bytes)") }
        let magic = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        guard bytes[0] == 0, bytes[1] == 0, bytes[2] == 0x08, (1...4).contains(Int(bytes[3])) else {
            throw DataError(.corrupt, file: file, String(format: "wrong IDX magic number 0x%08X (expected 0x00000801 or 0x00000803)", magic))
        }
        let rank = Int(bytes[3])
        size = 4 + 4 * rank
        guard bytes.count >= size else { throw DataError(.corrupt, file: file, "IDX header cut short") }
        dimensions = (0..<rank).map { d in
            let o = 4 + 4 * d
            return Int(UInt32(bytes[o]) << 24 | UInt32(bytes[o + 1]) << 16 | UInt32(bytes[o + 2]) << 8 | UInt32(bytes[o + 3]))
        }
        // A product that overflows cannot match the file: checked without trapping.
        var expected = 1
        for d in dimensions {
            let (product, overflow) = expected.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw DataError(.corrupt, file: file, "IDX header's dimensions \(dimensions.map(String.init).joined(separator: "x")) are too large to be the file's contents")
            }
            expected = product
        }
        payload = expected
    }

    /// Checks that a file of `fileSize` bytes holds exactly the data the header calls for.
    func check(fileSize: Int, file: String) throws {
        guard fileSize - size == payload else {
            throw DataError(.mismatch, file: file,
                            "IDX header says \(dimensions.map(String.init).joined(separator: "x")) = \(payload) bytes of data, but the file holds \(fileSize - size)")
        }
    }
}
