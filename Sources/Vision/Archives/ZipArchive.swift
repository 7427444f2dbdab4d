// The zip format: the central directory at the end lists every member (name, method, sizes,
// CRC-32, where its local header is); members are stored (method 0) or deflated (method 8).
// Zip64 archives (over 4 GB) and encrypted members are refused with a clear message, as are
// symbolic links (Unix mode in the external attributes).
import CVisionShim

enum ZipArchive {
    /// Calls `body` with each member in directory order; `contents()` reads and inflates it.
    static func forEachEntry(_ input: RandomAccessInput, file: String, _ body: (ArchiveEntry) throws -> Void) throws {
        let tailStart = max(0, input.size - 22 - 65_535)
        let tail = try input.read(at: tailStart, count: input.size - tailStart)
        let end = try endOfCentralDirectory(tail, file: file)
        let count = Int(u16(tail, end + 10))
        guard u32(tail, end + 16) != 0xFFFF_FFFF, u32(tail, end + 12) != 0xFFFF_FFFF, count != 0xFFFF else {
            throw DataError(.corrupt, file: file, "is a Zip64 archive, which is not supported; unpack it with another tool")
        }
        let directory = try input.read(at: Int(u32(tail, end + 16)), count: Int(u32(tail, end + 12)))
        var offset = 0
        for _ in 0..<count {
            guard offset + 46 <= directory.count, u32(directory, offset) == 0x0201_4B50 else {
                throw DataError(.corrupt, file: file, "corrupt zip: the central directory entry at byte \(offset) is missing or damaged")
            }
            let flags = u16(directory, offset + 8), method = u16(directory, offset + 10)
            let crc = u32(directory, offset + 16)
            let packed = Int(u32(directory, offset + 20)), size = Int(u32(directory, offset + 24))
            let nameLength = Int(u16(directory, offset + 28))
            let skip = nameLength + Int(u16(directory, offset + 30)) + Int(u16(directory, offset + 32))
            let mode = u32(directory, offset + 38) >> 16
            let local = Int(u32(directory, offset + 42))
            guard offset + 46 + skip <= directory.count else {
                throw DataError(.corrupt, file: file, "corrupt zip: the central directory is cut short")
            }
            let rawName = String(decoding: directory[offset + 46 ..< offset + 46 + nameLength], as: UTF8.self)
            offset += 46 + skip
            if mode & 0xF000 == 0xA000 {
                throw DataError(.corrupt, file: file, "entry \"\(rawName)\" is a symbolic link, which datasets never need, so the archive is refused")
            }
            let path = try ArchivePath.checked(rawName, archive: file)
            if rawName.hasSuffix("/") {
                try body(ArchiveEntry(path: path, kind: .directory, contents: { [] }))
                continue
            }
            guard flags & 1 == 0 else { throw DataError(.corrupt, file: file, "entry \"\(rawName)\" is encrypted") }
            guard method == 0 || method == 8 else {
                throw DataError(.corrupt, file: file, "entry \"\(rawName)\" uses compression method \(method); only stored (0) and deflate (8) are supported")
            }
            guard size <= ArchiveKind.largestMember else {
                throw DataError(.corrupt, file: file, "entry \"\(rawName)\" claims \(size) bytes, more than any dataset file (1 GiB), so the archive is refused")
            }
            try body(ArchiveEntry(path: path, kind: .file, contents: {
                let header = try input.read(at: local, count: 30)
                guard header.count == 30, u32(header, 0) == 0x0403_4B50 else {
                    throw DataError(.corrupt, file: file, "corrupt zip: the local header of entry \"\(rawName)\" is missing")
                }
                let start = local + 30 + Int(u16(header, 26)) + Int(u16(header, 28))
                let data = try input.read(at: start, count: packed)
                guard data.count == packed else {
                    throw DataError(.corrupt, file: file, "truncated zip: entry \"\(rawName)\" runs past the end of the file")
                }
                return try inflate(data, size: size, method: method, crc: crc, name: rawName, file: file)
            }))
        }
    }

    /// The end-of-central-directory record in `tail` (the file's last bytes), searched
    /// backwards over the largest comment.
    private static func endOfCentralDirectory(_ tail: [UInt8], file: String) throws -> Int {
        guard tail.count >= 22 else { throw DataError(.corrupt, file: file, "not a zip archive (\(tail.count) bytes)") }
        var offset = tail.count - 22
        while offset >= 0 {
            if u32(tail, offset) == 0x0605_4B50 { return offset }
            offset -= 1
        }
        throw DataError(.corrupt, file: file, "not a zip archive, or truncated: no end-of-central-directory record")
    }

    private static func inflate(_ bytes: [UInt8], size: Int, method: UInt16, crc: UInt32, name: String, file: String) throws -> [UInt8] {
        var out: [UInt8]
        if method == 0 {
            guard bytes.count == size else { throw DataError(.corrupt, file: file, "entry \"\(name)\" is stored with two different sizes") }
            out = bytes
        } else {
            out = [UInt8](repeating: 0, count: size)
            var message = [CChar](repeating: 0, count: Int(SG_MESSAGE_SIZE))
            let status = bytes.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { output in
                    message.withUnsafeMutableBufferPointer { text in
                        sg_inflate_raw(input.baseAddress, input.count, output.baseAddress, size, text.baseAddress)
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
