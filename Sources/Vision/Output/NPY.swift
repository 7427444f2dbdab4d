// NumPy's .npy format, version 1.0, for float32 tensors: the magic "\x93NUMPY", version
// bytes 1 0, a little-endian UInt16 header length, a Python-dict header padded with spaces
// and ended by "\n" so the data starts at a multiple of 64 bytes, then the raw data.
import Autograd
import Foundation

/// Reading and writing float32 tensors as .npy files.
public enum NPY {
    /// The .npy bytes of `tensor` (dtype '<f4', C order); identical to numpy.save's output.
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        let dims = tensor.shape.map(String.init)
        let shapeText = dims.count == 1 ? "(\(dims[0]),)" : "(\(dims.joined(separator: ", ")))"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let headerLength = header.utf8.count
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)]
        bytes += Array(header.utf8)
        bytes.reserveCapacity(bytes.count + tensor.count * 4)
        tensor.withUnsafeElements { elements in
            for value in elements {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
        }
        return bytes
    }

    /// Writes `tensor` as a .npy file, atomically.
    public static func write(_ tensor: Tensor, to url: URL) throws {
        try FileIO.writeAtomically(encode(tensor), to: url)
    }

    /// Reads a .npy file holding little-endian float32 in C order.
    public static func read(_ url: URL) throws -> Tensor {
        try decode(try FileIO.read(url), file: url.path)
    }

    /// Parses .npy bytes (version 1.0 or 2.0 headers; '<f4', C order only).
    public static func decode(_ bytes: [UInt8], file: String = "<memory>") throws -> Tensor {
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw DataError(.corrupt, file: file, "not a .npy file (bad magic)")
        }
        let major = bytes[6]
        let headerStart: Int, headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw DataError(.corrupt, file: file, ".npy header cut short") }
            headerStart = 12
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        default:
            throw DataError(.corrupt, file: file, "unsupported .npy version \(major)")
        }
        guard bytes.count >= headerStart + headerLength else { throw DataError(.corrupt, file: file, ".npy header cut short") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard header.contains("'descr': '<f4'") else {
            throw DataError(.mismatch, file: file, "only little-endian float32 ('<f4') is supported; header: \(header.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard header.contains("'fortran_order': False") else {
            throw DataError(.mismatch, file: file, "Fortran-order arrays are not supported")
        }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw DataError(.corrupt, file: file, ".npy header has no shape")
        }
        var shape = [Int]()
        for part in header[open.upperBound..<close].split(separator: ",") {
            let text = part.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let d = Int(text), d >= 0 else { throw DataError(.corrupt, file: file, "bad dimension '\(text)' in .npy shape") }
            shape.append(d)
        }
        // A shape whose size overflows cannot match the file: checked without trapping.
        var count = 1
        for d in shape + [4] {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw DataError(.corrupt, file: file, "shape \(shape) in the .npy header is too large to be the file's contents")
            }
            count = product
        }
        count /= 4
        let dataStart = headerStart + headerLength
        guard bytes.count - dataStart == count * 4 else {
            throw DataError(.mismatch, file: file, "shape \(shape) needs \(count * 4) bytes of data, file has \(bytes.count - dataStart)")
        }
        return Tensor(shape: shape) { elements in
            bytes.withUnsafeBytes { raw in
                for i in 0..<count {
                    let bits = raw.loadUnaligned(fromByteOffset: dataStart + 4 * i, as: UInt32.self)
                    elements[i] = Float(bitPattern: UInt32(littleEndian: bits))
                }
            }
        }
    }
}
