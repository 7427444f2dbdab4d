// Listing the image files of a folder.
import Foundation

public enum ImageFiles {
    static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// The PNG/JPEG files directly in `directory`, sorted by name; an error if the folder is
    /// missing or holds none.
    public static func list(_ directory: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw DataError(.unreadable, file: directory.path, "no such folder")
        }
        guard isDirectory.boolValue else { throw DataError(.unreadable, file: directory.path, "is a file, not a folder") }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw DataError(.unreadable, file: directory.path, "cannot list folder: \(error.localizedDescription)")
        }
        let images = names.filter { name in
            !name.hasPrefix(".") && extensions.contains((name as NSString).pathExtension.lowercased())
        }.sorted()
        guard !images.isEmpty else {
            throw DataError(.empty, file: directory.path, "folder holds no .png, .jpg or .jpeg images")
        }
        return images.map { directory.appendingPathComponent($0) }
    }
}
