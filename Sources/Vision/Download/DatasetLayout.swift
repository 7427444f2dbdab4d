// What a dataset's folder must hold, and the check of a folder against it. The check runs
// after every fetch (before the folder gets its final name) and on a user's folder for
// `gan data list`.
import Foundation

/// One requirement of a dataset's layout, relative to the dataset's root folder.
public enum LayoutRule: Sendable, Equatable {
    /// `folder` holds exactly `count` image files (.jpg, .jpeg, .png).
    case images(String, count: Int)
    /// The file exists.
    case file(String)

    /// The problem with `root` under this rule, or nil when it holds.
    func problem(in root: URL) -> String? {
        switch self {
        case .file(let path):
            return FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path) ? nil : "\(path) is missing"
        case .images(let folder, let count):
            let url = root.appendingPathComponent(folder)
            guard DataLocation.isFolder(url) else { return "\(folder)/ is missing" }
            let found = LayoutRule.imageCount(url)
            return found == count ? nil : "\(folder)/ holds \(found) images, expected \(count)"
        }
    }

    /// How the rule reads in a listing: "train 400", "list_attr_celeba.txt".
    public var summary: String {
        switch self {
        case .images(let folder, let count): return "\(folder) \(count)"
        case .file(let path): return path
        }
    }

    private static func imageCount(_ folder: URL) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && ImageFiles.extensions.contains(($0 as NSString).pathExtension.lowercased()) }.count
    }
}

/// A dataset's expected layout: every rule must hold.
public struct DatasetLayout: Sendable, Equatable {
    public let rules: [LayoutRule]

    public init(_ rules: [LayoutRule]) { self.rules = rules }

    /// Everything wrong with `root` ("no such folder" when it is missing); empty when it matches.
    public func problems(in root: URL) -> [String] {
        guard DataLocation.isFolder(root) else { return ["no such folder"] }
        return rules.compactMap { $0.problem(in: root) }
    }

    /// Whether `root` matches the layout.
    public func isPresent(in root: URL) -> Bool { problems(in: root).isEmpty }

    /// "train 400, val 100, test 106".
    public var summary: String { rules.map(\.summary).joined(separator: ", ") }
}
