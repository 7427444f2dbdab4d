// Reading whole files and writing them atomically (temp file in the same folder + rename),
// so a crash or a full disk never leaves a half-written file under the final name.
import Foundation

public enum FileIO {
    /// The bytes of a file, or an error naming it. Read straight into one array of the
    /// file's size: through Data a large file would be held twice while it is copied (and
    /// Foundation's Data(contentsOf:) leaks 4 KB on every empty file).
    public static func read(_ url: URL) throws -> [UInt8] {
        try RandomAccessFile(url).readAll()
    }

    /// Writes `bytes` to `url` via a temporary file in the same folder and a rename.
    static func writeAtomically(_ bytes: [UInt8], to url: URL) throws {
        let temp = temporarySibling(of: url)
        do {
            try Data(bytes).write(to: temp)
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw DataError(.unwritable, file: url.path, "cannot write: \(error.localizedDescription)")
        }
        try moveIntoPlace(temp, url)
    }

    /// A hidden name in the folder of `url` that no other writer uses.
    static func temporarySibling(of url: URL) -> URL {
        let name = ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        return url.deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Renames `temp` over `url` (atomic on one file system); removes `temp` on failure.
    static func moveIntoPlace(_ temp: URL, _ url: URL) throws {
        if rename(temp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temp)
            throw DataError(.unwritable, file: url.path, "cannot rename temporary file into place: \(reason)")
        }
    }
}
