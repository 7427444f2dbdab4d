// One member of a tar or zip archive, and the check that keeps every member inside the
// folder it is unpacked into.

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

    /// The entries of the archive at `bytes`; `file` names it in errors.
    public func entries(of bytes: [UInt8], file: String) throws -> [ArchiveEntry] {
        switch self {
        case .tar: return try TarArchive.entries(bytes, file: file)
        case .tarGzip: return try TarArchive.entries(Gzip.inflate(bytes, file: file), file: file)
        case .zip: return try ZipArchive.entries(bytes, file: file)
        }
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
