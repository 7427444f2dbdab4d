// The tar, tar.gz and zip readers on archives built here: members read back byte for byte,
// only the dataset's root is unpacked, and paths that climb out, absolute paths and links
// are refused with an error naming the archive and the entry.
import CVisionShim
import CZlib
import Foundation
import XCTest
@testable import Vision

/// Builds archives in memory for the tests (ustar tar; zip with stored or deflated members).
enum TestArchive {
    enum Member { case file(String, [UInt8]), directory(String), symlink(String, to: String) }

    static func tar(_ members: [Member]) -> [UInt8] {
        var out = [UInt8]()
        for member in members {
            switch member {
            case .file(let name, let bytes):
                out += header(name, size: bytes.count, type: "0")
                out += bytes + [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512)
            case .directory(let name): out += header(name, size: 0, type: "5")
            case .symlink(let name, let target): out += header(name, size: 0, type: "2", link: target)
            }
        }
        return out + [UInt8](repeating: 0, count: 1024)
    }

    private static func header(_ name: String, size: Int, type: Character, link: String = "") -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (i, b) in text.utf8.enumerated() { h[offset + i] = b } }
        put(name, at: 0)
        put("0000644", at: 100)
        put(String(format: "%011o", size), at: 124)
        put(String(format: "%011o", 0), at: 136)
        put(String(type), at: 156)
        put(link, at: 157)
        put("ustar", at: 257); put("00", at: 263)
        put("        ", at: 148)
        put(String(format: "%06o", h.reduce(0) { $0 + Int($1) }) + "\0 ", at: 148)
        return h
    }

    /// A zip; `deflate` compresses file members (raw deflate, from a gzip member's body).
    static func zip(_ members: [Member], deflate: Bool) throws -> [UInt8] {
        var out = [UInt8](), directory = [UInt8]()
        for member in members {
            var name = "", data = [UInt8](), stored = [UInt8](), method: UInt16 = 0, mode: UInt32 = 0o100644
            switch member {
            case .file(let n, let bytes):
                name = n; data = bytes; stored = bytes
                if deflate {
                    let gz = gzipForTests(bytes)
                    stored = Array(gz[10 ..< gz.count - 8]); method = 8
                }
            case .directory(let n): name = n.hasSuffix("/") ? n : n + "/"; mode = 0o40755
            case .symlink(let n, let target): name = n; data = Array(target.utf8); stored = data; mode = 0o120777
            }
            let crc = data.withUnsafeBufferPointer { sg_crc32($0.baseAddress, $0.count) }
            let nameBytes = Array(name.utf8)
            let offset = out.count
            out += le32(0x0403_4B50) + le16(20) + le16(0) + le16(method) + le32(0) + le32(crc)
                + le32(stored.count) + le32(data.count) + le16(nameBytes.count) + le16(0) + nameBytes + stored
            directory += le32(0x0201_4B50) + le16(0x031E) + le16(20) + le16(0) + le16(method) + le32(0) + le32(crc)
                + le32(stored.count) + le32(data.count) + le16(nameBytes.count) + le16(0) + le16(0) + le16(0) + le16(0)
                + le32(Int(mode << 16)) + le32(offset) + nameBytes
        }
        let start = out.count
        return out + directory + le32(0x0605_4B50) + le16(0) + le16(0) + le16(members.count) + le16(members.count)
            + le32(directory.count) + le32(start) + le16(0)
    }

    private static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 255), UInt8(v >> 8 & 255)] }
    private static func le16(_ v: UInt16) -> [UInt8] { le16(Int(v)) }
    private static func le32(_ v: Int) -> [UInt8] { [UInt8(v & 255), UInt8(v >> 8 & 255), UInt8(v >> 16 & 255), UInt8(v >> 24 & 255)] }
    private static func le32(_ v: UInt32) -> [UInt8] { le32(Int(v)) }
}


/// `bytes` as one gzip member, through zlib (deflateInit2 is a macro; `deflateInit2_` is
/// what it calls).
func gzipForTests(_ bytes: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    precondition(deflateInit2_(&stream, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
    defer { deflateEnd(&stream) }
    var input = bytes
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
    let status = input.withUnsafeMutableBufferPointer { inBuffer in
        out.withUnsafeMutableBufferPointer { outBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = UInt32(inBuffer.count)
            stream.next_out = outBuffer.baseAddress
            stream.avail_out = UInt32(outBuffer.count)
            return deflate(&stream, Z_FINISH)
        }
    }
    precondition(status == Z_STREAM_END, "deflate: \(status)")
    return Array(out.prefix(Int(stream.total_out)))
}

/// `shared/data/RELATIVE` beside the repository or in a parent of it, or a skip.
func sharedDataFolder(_ relative: String) throws -> URL {
    for folder in MNISTLocation.ancestors(of: TestPaths.repositoryRoot.deletingLastPathComponent()) {
        let url = folder.appendingPathComponent("shared/data").appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: url.path) { return url }
    }
    throw XCTSkip("shared data \(relative) not present beside the repository or above it")
}

final class ArchiveTests: XCTestCase {
    let members: [TestArchive.Member] = [
        .directory("set/"), .file("set/train/1.jpg", Array(0..<200).map { UInt8($0) }),
        .file("set/readme.txt", Array(repeating: UInt8(ascii: "a"), count: 5000)), .file("other/x.txt", [1, 2, 3]),
        .file("set/empty.txt", []),
    ]

    func testTarAndTarGzipReadBackEveryMember() throws {
        let tar = TestArchive.tar(members)
        for (kind, bytes) in [(ArchiveKind.tar, tar), (.tarGzip, gzipForTests(tar))] {
            let entries = try kind.entries(of: bytes, file: "a.tar")
            XCTAssertEqual(entries.map(\.path), ["set", "set/train/1.jpg", "set/readme.txt", "other/x.txt", "set/empty.txt"])
            XCTAssertEqual(try entries[1].contents(), Array(0..<200).map { UInt8($0) })
            XCTAssertEqual(try entries[2].contents().count, 5000)
            XCTAssertEqual(try entries[4].contents(), [])
        }
    }

    func testZipStoredAndDeflatedReadBackEveryMember() throws {
        for deflate in [false, true] {
            let entries = try ArchiveKind.zip.entries(of: try TestArchive.zip(members, deflate: deflate), file: "a.zip")
            XCTAssertEqual(entries.map(\.path), ["set", "set/train/1.jpg", "set/readme.txt", "other/x.txt", "set/empty.txt"])
            XCTAssertEqual(entries.map(\.kind), [.directory, .file, .file, .file, .file])
            XCTAssertEqual(try entries[1].contents(), Array(0..<200).map { UInt8($0) })
            XCTAssertEqual(try entries[2].contents(), Array(repeating: UInt8(ascii: "a"), count: 5000))
        }
    }

    func testExtractKeepsOnlyTheRootFolder() throws {
        let folder = try makeTemporaryFolder(self)
        let archive = try writeBytes(try TestArchive.zip(members, deflate: true), folder, "a.zip")
        let out = folder.appendingPathComponent("out")
        XCTAssertEqual(try ArchiveExtractor.extract(archive, kind: .zip, root: "set", into: out), 3)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(), ["empty.txt", "readme.txt", "train"])
        XCTAssertEqual([UInt8](try Data(contentsOf: out.appendingPathComponent("train/1.jpg"))), Array(0..<200).map { UInt8($0) })
    }

    func testEachKindUnpacksFromItsFileMemberByMember() throws {
        let folder = try makeTemporaryFolder(self)
        let tar = TestArchive.tar(members)
        let files: [(ArchiveKind, [UInt8])] = [(.tar, tar), (.tarGzip, gzipForTests(tar)),
                                               (.zip, try TestArchive.zip(members, deflate: true))]
        for (kind, bytes) in files {
            let archive = try writeBytes(bytes, folder, "a.\(kind.rawValue)")
            let out = folder.appendingPathComponent("out-\(kind.rawValue)")
            XCTAssertEqual(try ArchiveExtractor.extract(archive, kind: kind, root: "set/", into: out), 3, "\(kind)")
            XCTAssertEqual([UInt8](try Data(contentsOf: out.appendingPathComponent("readme.txt"))), Array(repeating: UInt8(ascii: "a"), count: 5000))
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("empty.txt")).count, 0)
        }
        let cut = gzipForTests(tar)
        let truncated = try writeBytes(Array(cut.prefix(cut.count - 30)), folder, "cut.tar.gz")
        assertDataError(.corrupt, file: "cut.tar.gz", mentions: "truncated gzip data") {
            try ArchiveExtractor.extract(truncated, kind: .tarGzip, root: "", into: folder.appendingPathComponent("cut"))
        }
        let notGzip = try writeBytes(tar, folder, "plain.tar.gz")
        assertDataError(.corrupt, file: "plain.tar.gz", mentions: "not gzip data") {
            try ArchiveExtractor.extract(notGzip, kind: .tarGzip, root: "", into: folder.appendingPathComponent("plain"))
        }
    }

    func testPathsThatLeaveTheTargetAndLinksAreRefused() throws {
        let cases: [(TestArchive.Member, String)] = [
            (.file("set/../../evil.txt", [1]), "set/../../evil.txt\" climbs out"),
            (.file("/etc/evil", [1]), "/etc/evil\" has an absolute"),
            (.symlink("set/link", to: "/etc/passwd"), "set/link\" is a symbolic link"),
        ]
        for (member, phrase) in cases {
            assertDataError(.corrupt, file: "bad.tar", mentions: phrase) { try ArchiveKind.tar.entries(of: TestArchive.tar([member]), file: "/x/bad.tar") }
            assertDataError(.corrupt, file: "bad.zip", mentions: phrase) {
                try ArchiveKind.zip.entries(of: try TestArchive.zip([member], deflate: false), file: "/x/bad.zip")
            }
        }
    }

    func testDamagedArchivesAreOneSentenceErrors() throws {
        var tar = TestArchive.tar(members)
        tar[10] ^= 0xFF
        assertDataError(.corrupt, file: "a.tar", mentions: "header checksum at byte 0") { try ArchiveKind.tar.entries(of: tar, file: "a.tar") }
        let cut = Array(TestArchive.tar(members).prefix(700))
        assertDataError(.corrupt, file: "a.tar", mentions: "truncated tar") { try ArchiveKind.tar.entries(of: cut, file: "a.tar") }
        var zip = try TestArchive.zip(members, deflate: true)
        zip[100] ^= 0xFF  // inside the deflated data of the first files
        assertDataError(.corrupt, file: "a.zip", mentions: "set/") { try ArchiveKind.zip.entries(of: zip, file: "a.zip").forEach { _ = try $0.contents() } }
        assertDataError(.corrupt, file: "a.zip", mentions: "no end-of-central-directory") { try ArchiveKind.zip.entries(of: [UInt8](repeating: 7, count: 100), file: "a.zip") }
    }
}
