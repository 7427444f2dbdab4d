// SHA-256 of a byte buffer, as lowercase hex (the form SHA256SUMS files use).
import CVisionShim

/// The SHA-256 digest of `bytes` as 64 lowercase hex digits.
public func sha256Hex(_ bytes: [UInt8]) -> String {
    var digest = [UInt8](repeating: 0, count: 32)
    bytes.withUnsafeBufferPointer { input in
        digest.withUnsafeMutableBufferPointer { out in
            sg_sha256(input.baseAddress, input.count, out.baseAddress)
        }
    }
    let hex = Array("0123456789abcdef".utf8)
    var text = [UInt8]()
    text.reserveCapacity(64)
    for byte in digest {
        text.append(hex[Int(byte >> 4)])
        text.append(hex[Int(byte & 15)])
    }
    return String(decoding: text, as: UTF8.self)
}
