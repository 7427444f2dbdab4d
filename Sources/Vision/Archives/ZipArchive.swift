// The zip format: the central directory at the end lists every member (name, method, sizes,
// CRC-32, where its local header is); members are stored (method 0) or deflated (method 8).
// Zip64 archives (over 4 GB) and encrypted members are refused with a clear message, as are
// symbolic links (Unix mode in the external attributes).
import CVisionShim

enum ZipArchive {
    static func entries(_ bytes: [UInt8], file: String) throws -> [ArchiveEntry] {
        let end = try endOfCentralDirectory(bytes, file: file)
        let count = Int(u16(bytes, end + 10))
        var offset = Int(u32(bytes, end + 16))
        guard u32(bytes, end + 16) != 0xFFFF_FFFF, count != 0xFFFF else {
            throw DataError(.corrupt, file: file, "is a Zip64 archive, which is not supported; unpack it with another tool")
        }
        var entries = [ArchiveEntry]()
        for _ in 0..<count {
            guard offset + 46 <= bytes.count, u32(bytes, offset) == 0x0201_4B50 else {
                throw DataError(.corrupt, file: file, "corrupt zip: the central directory entry at byte \(offset) is missing or damaged")
            }
            let flags = u16(bytes, offset + 8), method = u16(bytes, offset + 10)
            let crc = u32(bytes, offset + 16)
            let packed = Int(u32(bytes, offset + 20)), size = Int(u32(bytes, offset + 24))
            let nameLength = Int(u16(bytes, offset + 28))
            let skip = nameLength + Int(u16(bytes, offset + 30)) + Int(u16(bytes, offset + 32))
            let mode = u32(bytes, offset + 38) >> 16
            let local = Int(u32(bytes, offset + 42))
            guard offset + 46 + skip <= bytes.count else {
                throw DataError(.corrupt, file: file, "corrupt zip: the central directory is cut short")
            }
            let rawName = String(decoding: bytes[offset + 46 ..< offset + 46 + nameLength], as: UTF8.self)
            offset += 46 + skip
            if mode & 0xF000 == 0xA000 {
                throw DataError(.corrupt, file: file, "entry \"\(rawName)\" is a symbolic link, which datasets never need, so the archive is refused")
            }
            let path = try ArchivePath.checked(rawName, archive: file)
            if rawName.hasSuffix("/") {
                entries.append(ArchiveEntry(path: path, kind: .directory, contents: { [] }))
                continue
            }
            guard flags & 1 == 0 else { throw DataError(.corrupt, file: file, "entry \"\(rawName)\" is encrypted") }
            guard method == 0 || method == 8 else {
                throw DataError(.corrupt, file: file, "entry \"\(rawName)\" uses compression method \(method); only stored (0) and deflate (8) are supported")
            }
            let start = try dataStart(bytes, local: local, name: rawName, file: file)
            guard start + packed <= bytes.count else {
                throw DataError(.corrupt, file: file, "truncated zip: entry \"\(rawName)\" runs past the end of the file")
            }
            entries.append(ArchiveEntry(path: path, kind: .file, contents: {
                try inflate(bytes, start: start, packed: packed, size: size, method: method, crc: crc, name: rawName, file: file)
            }))
        }
        return entries
    }

    /// The end-of-central-directory record, searched backwards over the largest comment.
    private static func endOfCentralDirectory(_ bytes: [UInt8], file: String) throws -> Int {
        guard bytes.count >= 22 else { throw DataError(.corrupt, file: file, "not a zip archive (\(bytes.count) bytes)") }
        var offset = bytes.count - 22
        let lowest = max(0, offset - 65_535)
        while offset >= lowest {
            if u32(bytes, offset) == 0x0605_4B50 { return offset }
            offset -= 1
        }
        throw DataError(.corrupt, file: file, "not a zip archive, or truncated: no end-of-central-directory record")
    }

    private static func dataStart(_ bytes: [UInt8], local: Int, name: String, file: String) throws -> Int {
        guard local + 30 <= bytes.count, u32(bytes, local) == 0x0403_4B50 else {
            throw DataError(.corrupt, file: file, "corrupt zip: the local header of entry \"\(name)\" is missing")
        }
        return local + 30 + Int(u16(bytes, local + 26)) + Int(u16(bytes, local + 28))
    }

    private static func inflate(_ bytes: [UInt8], start: Int, packed: Int, size: Int, method: UInt16, crc: UInt32,
                                name: String, file: String) throws -> [UInt8] {
        var out: [UInt8]
        if method == 0 {
            guard packed == size else { throw DataError(.corrupt, file: file, "entry \"\(name)\" is stored with two different sizes") }
            out = Array(bytes[start ..< start + size])
        } else {
            out = [UInt8](repeating: 0, count: size)
            var message = [CChar](repeating: 0, count: Int(SG_MESSAGE_SIZE))
            let status = bytes.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { output in
                    message.withUnsafeMutableBufferPointer { text in
                        sg_inflate_raw(input.baseAddress! + start, packed, output.baseAddress, size, text.baseAddress)
                    }
                }
            }
            guard status == 0 else { throw DataError(.corrupt, file: file, "entry \"\(name)\": \(cMessage(message))") }
        }
        let actual = out.withUnsafeBufferPointer { sg_crc32($0.baseAddress, $0.count) }
        guard actual == crc else {
            throw DataError(.corrupt, file: file, "entry \"\(name)\" is damaged: its CRC-32 does not match the directory")
        }
        return out
    }

    private static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    private static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
}
