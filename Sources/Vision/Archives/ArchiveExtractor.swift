// Unpacking an archive into a folder, keeping only the members under one folder of the
// archive (the dataset's root as its publisher packs it, e.g. `facades/` or
// `BSR/BSDS500/data/`) and placing them relative to that root.
import Foundation

enum ArchiveExtractor {
    /// Writes the members of `archive` under `root` ("" for all) into `folder`; returns how
    /// many files were written. Members outside `root` are skipped.
    @discardableResult
    static func extract(_ archive: URL, kind: ArchiveKind, root: String, into folder: URL) throws -> Int {
        let prefix = root.isEmpty ? "" : root.hasSuffix("/") ? root : root + "/"
        var written = 0
        try kind.forEachEntry(in: archive) { entry in
            guard entry.path.hasPrefix(prefix), entry.path.count > prefix.count else { return }
            let relative = String(entry.path.dropFirst(prefix.count))
            let destination = folder.appendingPathComponent(relative)
            let parent = entry.kind == .directory ? destination : destination.deletingLastPathComponent()
            do {
                try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            } catch {
                throw DataError(.unwritable, file: parent.path, "cannot create folder: \(error.localizedDescription)")
            }
            if entry.kind == .file {
                try DiskWrite.file(try entry.contents(), to: destination.path)
                written += 1
            }
        }
        return written
    }
}
