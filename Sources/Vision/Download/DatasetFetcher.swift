// `gan data fetch`: download a standard dataset from its publisher (or a mirror), check it,
// and put it in place atomically.
//   1. An existing complete dataset is kept as it is; an existing folder that fails the
//      layout check is reported and left untouched (never deleted).
//   2. Each download goes to a hidden `.NAME-FILE.part` beside the target and is resumed
//      from there next time (see ResumableDownload).
//   3. The archive is checked against the publisher's SHA-256 when there is one (a mismatch
//      deletes the download: resuming a wrong file cannot make it right), unpacked into a
//      hidden folder beside the target, checked against the layout and counts, and only then
//      renamed to the target's name.
import Foundation

public struct DatasetFetcher {
    /// What a fetch did.
    public enum Outcome: Sendable, Equatable { case fetched, alreadyPresent }

    /// A base URL to download from instead of the publisher's folder (the file name is kept).
    public var mirror: URL?
    /// Seconds without data before a request is given up.
    public var timeout: TimeInterval
    public var progress: DownloadProgress

    public init(mirror: URL? = nil, timeout: TimeInterval = 60, progress: DownloadProgress = .standardError()) {
        self.mirror = mirror
        self.timeout = timeout
        self.progress = progress
    }

    /// Fetches `dataset` into `target` (its default place when nil).
    @discardableResult
    public func fetch(_ dataset: StandardDataset, into target: URL? = nil) throws -> Outcome {
        let target = target ?? DataLocation.defaultTarget(for: dataset.folder)
        if FileManager.default.fileExists(atPath: target.path) {
            let problems = dataset.layout.problems(in: target)
            guard problems.isEmpty else {
                throw DataError(.mismatch, file: target.path, "already exists but is not a complete \(dataset.name) (\(problems.joined(separator: "; "))); it was left untouched: repair it or move it away and fetch again")
            }
            return .alreadyPresent
        }
        let parent = target.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw DataError(.unwritable, file: parent.path, "cannot create folder: \(error.localizedDescription)")
        }
        switch dataset.source {
        case .archive(let url, let kind, let root, let sha256):
            try fetchArchive(dataset, from: source(url), kind: kind, root: root, sha256: sha256, into: target)
        case .files(let mirrors, let names):
            try fetchFiles(dataset, names: names, mirrors: mirror.map { [$0] } ?? mirrors, into: target)
        case .built(let command):
            throw DataError(.download, file: dataset.name, "is not downloaded but built from other datasets: run `\(command)`")
        case .manual(let steps):
            throw DataError(.download, file: dataset.name, steps)
        }
        return .fetched
    }

    /// The hidden partial-download file for `fileName` of the dataset at `target`.
    public static func partFile(_ fileName: String, for target: URL) -> URL {
        target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent)-\(fileName).part")
    }

    private func source(_ publisher: URL) -> URL {
        mirror.map { $0.appendingPathComponent(publisher.lastPathComponent) } ?? publisher
    }

    private func fetchArchive(_ dataset: StandardDataset, from url: URL, kind: ArchiveKind, root: String, sha256: String?,
                              into target: URL) throws {
        let part = Self.partFile(url.lastPathComponent, for: target)
        try ResumableDownload.run(url, into: part, timeout: timeout, progress: progress)
        if let sha256 {
            let digest = sha256Hex(try FileIO.read(part))
            guard digest == sha256 else {
                try? FileManager.default.removeItem(at: part)
                throw DataError(.download, file: url.absoluteString, "checksum mismatch: SHA-256 \(digest), the publisher's is \(sha256); the download was deleted")
            }
        }
        try install(dataset, into: target, keeping: [part]) { staging in
            try ArchiveExtractor.extract(part, kind: kind, root: root, into: staging)
        }
    }

    private func fetchFiles(_ dataset: StandardDataset, names: [String], mirrors: [URL], into target: URL) throws {
        var parts = [URL]()
        for name in names {
            let part = Self.partFile(name, for: target)
            var reasons = [String]()
            for mirror in mirrors {
                do {
                    try ResumableDownload.run(mirror.appendingPathComponent(name), into: part, timeout: timeout, progress: progress)
                    try MNISTDownloader().verify(fileAt: part, name: String(name.dropLast(3)))
                    reasons.removeAll()
                    break
                } catch let error as DataError where error.kind == .download {
                    if error.problem.hasPrefix("checksum") { try? FileManager.default.removeItem(at: part) }
                    reasons.append(error.description)
                }
            }
            guard reasons.isEmpty else {
                throw DataError(.download, file: name, "could not be fetched from any mirror: \(reasons.joined(separator: "; "))")
            }
            parts.append(part)
        }
        try install(dataset, into: target, keeping: parts) { staging in
            for (name, part) in zip(names, parts) {
                try FileIO.moveIntoPlace(part, staging.appendingPathComponent(name))
            }
        }
    }

    /// Fills a hidden folder beside `target`, checks it, and renames it to `target`. The
    /// downloads in `keeping` are deleted on success; after a write failure (a full disk)
    /// they stay for the next run, after any other failure they go.
    private func install(_ dataset: StandardDataset, into target: URL, keeping downloads: [URL], fill: (URL) throws -> Void) throws {
        let staging = FileIO.temporarySibling(of: target)
        do {
            do {
                try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
            } catch {
                throw DataError(.unwritable, file: staging.path, "cannot create folder: \(error.localizedDescription)")
            }
            try fill(staging)
            let problems = dataset.layout.problems(in: staging)
            guard problems.isEmpty else {
                throw DataError(.mismatch, file: target.path, "the downloaded \(dataset.name) does not have the expected layout (\(problems.joined(separator: "; "))); nothing was written")
            }
            try FileIO.moveIntoPlace(staging, target)
        } catch let error as DataError {
            try? FileManager.default.removeItem(at: staging)
            if error.kind != .unwritable { for download in downloads { try? FileManager.default.removeItem(at: download) } }
            throw error
        }
        for download in downloads { try? FileManager.default.removeItem(at: download) }
    }
}
