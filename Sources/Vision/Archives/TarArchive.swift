// The tar format (POSIX ustar, with the pax 'path' record and GNU long names that GNU tar
// writes for paths over 100 characters): 512-byte headers, each followed by the member's
// bytes padded to 512. Symbolic and hard links, devices and FIFOs are refused: a dataset
// needs none, and a link could point the next member outside the target folder.

enum TarArchive {
    static let block = 512

    /// Calls `body` with each member in archive order, reading one member at a time.
    static func forEachEntry(_ input: SequentialInput, file: String, _ body: (ArchiveEntry) throws -> Void) throws {
        var offset = 0
        var longName: String?  // from a pax 'x' record or a GNU 'L' member, for the next member
        while true {
            let header = try input.read(block)[...]
            if header.isEmpty { return }  // no end-of-archive marker: tolerated
            guard header.count == block else {
                throw DataError(.corrupt, file: file, "truncated tar archive: \(header.count) stray bytes after the last member")
            }
            if header.allSatisfy({ $0 == 0 }) { return }  // end-of-archive marker
            try checkChecksum(header, file: file, offset: offset)
            let size = try number(header, at: 124, length: 12, file: file, offset: offset)
            let rawName = longName ?? headerName(header)
            guard size <= ArchiveKind.largestMember else {
                throw DataError(.corrupt, file: file, "entry \"\(rawName)\" claims \(size) bytes, more than any dataset file (1 GiB), so the archive is refused")
            }
            let content = try input.read(size)
            guard content.count == size, try input.read((block - size % block) % block).count == (block - size % block) % block else {
                throw DataError(.corrupt, file: file, "truncated tar archive: entry \"\(rawName)\" at byte \(offset) is cut short")
            }
            offset += block + (size + block - 1) / block * block
            let type = header[156]
            longName = nil
            switch type {
            case UInt8(ascii: "x"): longName = paxPath(content[...])
            case UInt8(ascii: "g"): continue  // global pax header: no member
            case UInt8(ascii: "L"): longName = String(decoding: content.prefix { $0 != 0 }, as: UTF8.self)
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                try body(ArchiveEntry(path: try ArchivePath.checked(rawName, archive: file), kind: .file, contents: { content }))
            case UInt8(ascii: "5"):
                try body(ArchiveEntry(path: try ArchivePath.checked(rawName, archive: file), kind: .directory, contents: { [] }))
            case UInt8(ascii: "1"), UInt8(ascii: "2"):
                throw DataError(.corrupt, file: file, "entry \"\(rawName)\" is a \(type == UInt8(ascii: "2") ? "symbolic" : "hard") link, which datasets never need, so the archive is refused")
            default:
                throw DataError(.corrupt, file: file, "entry \"\(rawName)\" has tar type '\(Character(Unicode.Scalar(type)))', not a file or folder, so the archive is refused")
            }
        }
    }

    /// ustar's prefix + "/" + name, or the name alone.
    private static func headerName(_ header: ArraySlice<UInt8>) -> String {
        let base = header.startIndex
        let name = text(header[base ..< base + 100])
        let isUstar = header[base + 257 ..< base + 262].elementsEqual("ustar".utf8)
        let prefix = isUstar ? text(header[base + 345 ..< base + 500]) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    private static func text(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The value of a pax "LEN path=VALUE\n" record, if the extended header has one.
    private static func paxPath(_ body: ArraySlice<UInt8>) -> String? {
        for record in String(decoding: body, as: UTF8.self).split(separator: "\n") {
            guard let space = record.firstIndex(of: " ") else { continue }
            let field = record[record.index(after: space)...]
            if field.hasPrefix("path=") { return String(field.dropFirst(5)) }
        }
        return nil
    }

    /// An octal field, or GNU's base-256 form (high bit set) for sizes of 8 GB and more.
    private static func number(_ header: ArraySlice<UInt8>, at field: Int, length: Int, file: String, offset: Int) throws -> Int {
        let bytes = header[header.startIndex + field ..< header.startIndex + field + length]
        if let first = bytes.first, first & 0x80 != 0 {
            var value = 0
            for byte in bytes.dropFirst() where value < Int.max >> 9 { value = value << 8 | Int(byte) }
            return value
        }
        var value = 0
        for byte in bytes {
            if byte == 0 || byte == UInt8(ascii: " ") { if value > 0 { break } else { continue } }
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte), value < Int.max >> 4 else {
                throw DataError(.corrupt, file: file, "not a tar archive: the header at byte \(offset) has a bad number field")
            }
            value = value * 8 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The header checksum: the byte sum with the checksum field read as spaces.
    private static func checkChecksum(_ header: ArraySlice<UInt8>, file: String, offset: Int) throws {
        let stored = try number(header, at: 148, length: 8, file: file, offset: offset)
        var sum = 8 * Int(UInt8(ascii: " "))
        for (i, byte) in header.enumerated() where !(148..<156).contains(i) { sum += Int(byte) }
        guard sum == stored else {
            throw DataError(.corrupt, file: file, "not a tar archive or corrupt: the header checksum at byte \(offset) does not match")
        }
    }
}
