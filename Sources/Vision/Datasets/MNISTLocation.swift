// Where the built-in MNIST lives. The repository ships it in `Data/mnist/` (four .gz files
// and SHA256SUMS). It is found without resources or downloads, first match wins:
//   1. the directory in the environment variable SWIFTGAN_MNIST_DIR;
//   2. `Data/mnist` under the package root, located from this source file's compile-time path;
//   3. `Data/mnist` in the current directory or any of its parents;
//   4. `Data/mnist` in any parent of the running executable (e.g. .build/debug/…).
// SwiftPM resources were not used: Bundle.module traps when the bundle is missing, and
// would copy 11 MB into every build directory.
import Foundation

/// Locates the MNIST files.
public enum MNISTLocation {
    /// The environment variable that overrides the built-in location.
    public static let environmentVariable = "SWIFTGAN_MNIST_DIR"

    /// The folder holding the built-in MNIST, or an error listing where it looked.
    public static func builtInDirectory() throws -> URL {
        var tried = [String]()
        for candidate in candidates() {
            tried.append(candidate.path)
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("train-images-idx3-ubyte.gz").path) {
                return candidate
            }
        }
        throw DataError(.unreadable, file: "Data/mnist", "built-in MNIST not found; looked in: \(tried.joined(separator: ", "))")
    }

    static func candidates() -> [URL] {
        var list = [URL]()
        if let env = ProcessInfo.processInfo.environment[environmentVariable], !env.isEmpty {
            list.append(URL(fileURLWithPath: env))
        }
        // Sources/Vision/Datasets/MNISTLocation.swift -> package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        list.append(root.appendingPathComponent("Data/mnist"))
        list += ancestors(of: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).map { $0.appendingPathComponent("Data/mnist") }
        list += ancestors(of: URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent())
            .map { $0.appendingPathComponent("Data/mnist") }
        return list
    }

    static func ancestors(of url: URL) -> [URL] {
        var out = [URL]()
        var current = url.standardizedFileURL
        for _ in 0..<12 {
            out.append(current)
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { break }
            current = parent
        }
        return out
    }

    /// `name.gz` or `name` in `directory`, whichever exists (gzipped preferred).
    static func existingFile(_ name: String, in directory: URL) throws -> URL {
        let gz = directory.appendingPathComponent(name + ".gz")
        if FileManager.default.fileExists(atPath: gz.path) { return gz }
        let plain = directory.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: plain.path) { return plain }
        throw DataError(.unreadable, file: gz.path, "missing MNIST file (neither \(name).gz nor \(name) is in \(directory.path))")
    }
}
