// Where the shipped classifier weights live: `Data/classifier/mnist_classifier.safetensors`
// (and the CelebA attribute classifier's beside it) in the repository, found as Vision's MNISTLocation finds MNIST (no SwiftPM resources),
// first match wins:
//   1. the file in the environment variable SWIFTGAN_CLASSIFIER (the MNIST classifier only);
//   2. under the package root, located from this source file's compile-time path;
//   3. in the current directory or any of its parents;
//   4. in any parent of the running executable.
import Foundation

public enum ClassifierLocation {
    public static let environmentVariable = "SWIFTGAN_CLASSIFIER"
    /// The weights' path relative to the package root.
    public static let relativePath = "Data/classifier/mnist_classifier.safetensors"
    /// The CelebA attribute classifier's weights relative to the package root.
    public static let attributeClassifierPath = "Data/classifier/celeba_attributes.safetensors"

    /// The shipped weights at `path` (the MNIST classifier's by default), or an error listing where it looked.
    public static func builtInWeights(_ path: String = relativePath) throws -> URL {
        var tried = [String]()
        for candidate in candidates(path) {
            tried.append(candidate.path)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        throw EvaluationError("the classifier weights were not found; looked in: \(tried.joined(separator: ", "))")
    }

    static func candidates(_ relativePath: String = relativePath) -> [URL] {
        var list = [URL]()
        if relativePath == Self.relativePath, let env = ProcessInfo.processInfo.environment[environmentVariable], !env.isEmpty {
            list.append(URL(fileURLWithPath: env))
        }
        // Sources/Evaluation/Classifier/ClassifierLocation.swift -> package root.
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root = root.deletingLastPathComponent() }
        list.append(root.appendingPathComponent(relativePath))
        list += ancestors(of: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).map { $0.appendingPathComponent(relativePath) }
        list += ancestors(of: URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent())
            .map { $0.appendingPathComponent(relativePath) }
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
}
