// The IDX format of the MNIST files: two zero bytes, a type code (0x08 = unsigned byte),
// the number of dimensions, then each dimension as a big-endian UInt32, then the data.
import Foundation

/// An unsigned-byte IDX array.
public struct IDXArray: Sendable {
    public let dimensions: [Int]
    public let bytes: [UInt8]

    /// Parses IDX bytes (already inflated); `file` names the source in errors.
    public init(parsing data: [UInt8], file: String) throws {
        guard data.count >= 4 else { throw DataError(.corrupt, file: file, "too short for an IDX header (\(data.count) bytes)") }
        let magic = UInt32(data[0]) << 24 | UInt32(data[1]) << 16 | UInt32(data[2]) << 8 | UInt32(data[3])
        guard data[0] == 0, data[1] == 0, data[2] == 0x08, (1...4).contains(Int(data[3])) else {
            throw DataError(.corrupt, file: file, String(format: "wrong IDX magic number 0x%08X (expected 0x00000801 or 0x00000803)", magic))
        }
        let rank = Int(data[3])
        let headerSize = 4 + 4 * rank
        guard data.count >= headerSize else { throw DataError(.corrupt, file: file, "IDX header cut short") }
        var dims = [Int]()
        for d in 0..<rank {
            let o = 4 + 4 * d
            dims.append(Int(UInt32(data[o]) << 24 | UInt32(data[o + 1]) << 16 | UInt32(data[o + 2]) << 8 | UInt32(data[o + 3])))
        }
        // A product that overflows cannot match the file: checked without trapping.
        var expected = 1
        for d in dims {
            let (product, overflow) = expected.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw DataError(.corrupt, file: file, "IDX header's dimensions \(dims.map(String.init).joined(separator: "x")) are too large to be the file's contents")
            }
            expected = product
        }
        guard data.count - headerSize == expected else {
            throw DataError(.mismatch, file: file,
                            "IDX header says \(dims.map(String.init).joined(separator: "x")) = \(expected) bytes of data, but the file holds \(data.count - headerSize)")
        }
        dimensions = dims
        bytes = Array(data[headerSize...])
    }

    /// Parses IDX bytes, gzipped or not (detected from its bytes).
    public init(decoding data: [UInt8], file: String) throws {
        try self.init(parsing: Gzip.isGzip(data) ? try Gzip.inflate(data, file: file) : data, file: file)
    }

    /// Reads an IDX file, gzipped or not.
    public init(contentsOf url: URL) throws {
        try self.init(decoding: try FileIO.read(url), file: url.path)
    }
}
