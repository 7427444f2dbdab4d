// One member of a tar or zip archive, and the check that keeps every member inside the
// folder it is unpacked into.
import Foundation

/// A file or folder inside an archive; `contents()` reads (and for zip inflates) the file.
public struct ArchiveEntry {
    public enum Kind: Sendable { case file, directory }

    /// The path inside the archive, '/'-separated, already checked by `ArchivePath`.
    public let path: String
    public let kind: Kind
    /// The bytes of a file member (empty for a folder).
    public let contents: () throws -> [UInt8]
}

/// The archive formats the fetcher unpacks.
public enum ArchiveKind: String, Sendable {
    case tar, tarGzip = "tar.gz", zip

    /// The largest member accepted: far above any dataset file, and a bound on what a
    /// damaged or hostile header can make us allocate.
    static let largestMember = 1 << 30

    /// Calls `body` with each entry of the archive file at `url` in turn, reading one member
    /// at a time.
    public func forEachEntry(in url: URL, _ body: (ArchiveEntry) throws -> Void) throws {
        switch self {
        case .tar: try TarArchive.forEachEntry(try FileInput(url), file: url.path, body)
        case .tarGzip: try TarArchive.forEachEntry(try GzipFileInput(url), file: url.path, body)
        case .zip: try ZipArchive.forEachEntry(try FileInput(url), file: url.path, body)
        }
    }

    /// The entries of an archive held in memory; `file` names it in errors.
    public func entries(of bytes: [UInt8], file: String) throws -> [ArchiveEntry] {
        var entries = [ArchiveEntry]()
        let collect: (ArchiveEntry) throws -> Void = { entries.append($0) }
        switch self {
        case .tar: try TarArchive.forEachEntry(MemoryInput(bytes), file: file, collect)
        case .tarGzip: try TarArchive.forEachEntry(MemoryInput(try Gzip.inflate(bytes, file: file)), file: file, collect)
        case .zip: try ZipArchive.forEachEntry(MemoryInput(bytes), file: file, collect)
        }
        return entries
    }
}

enum ArchivePath {
    /// `name` as a relative path, or an error naming the archive and the entry when it is
    /// absolute or climbs out with `..` (such an entry could overwrite any file the user owns).
    static func checked(_ name: String, archive: String) throws -> String {
        let components = name.split(separator: "/", omittingEmptySubsequences: true)
        if name.hasPrefix("/") || name.hasPrefix("\\") || name.contains("\\") || name.contains(":") {
            throw DataError(.corrupt, file: archive, "entry \"\(name)\" has an absolute or non-portable path, so the archive is refused")
        }
        if components.contains("..") {
            throw DataError(.corrupt, file: archive, "entry \"\(name)\" climbs out of the target folder with '..', so the archive is refused")
        }
        let kept = components.filter { $0 != "." }
        guard !kept.isEmpty else {
            throw DataError(.corrupt, file: archive, "entry \"\(name)\" has an empty path, so the archive is refused")
        }
        return kept.joined(separator: "/")
    }
}
