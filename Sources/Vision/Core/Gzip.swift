// gzip support for IDX files, through zlib.
import CVisionShim

enum Gzip {
    /// Whether `bytes` start with the gzip magic number.
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The inflated content of gzip `bytes`; `file` names the source in errors.
    static func inflate(_ bytes: [UInt8], file: String) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: Int(SG_MESSAGE_SIZE))
        let status = bytes.withUnsafeBufferPointer { input in
            message.withUnsafeMutableBufferPointer { text in
                sg_gunzip(input.baseAddress, input.count, &out, &size, text.baseAddress)
            }
        }
        guard status == 0, let out else {
            throw DataError(.corrupt, file: file, cMessage(message))
        }
        defer { sg_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }
}
