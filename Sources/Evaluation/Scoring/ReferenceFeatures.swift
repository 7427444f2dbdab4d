// The real side of every comparison: features of the 10,000 MNIST test images, computed
// once per classifier and cached in a file. The cache holds the float32 features; their
// double-precision statistics are recomputed on load (a fraction of a second), exact
// rather than rounded to float32 for storage.
//
// The cache lives in $SWIFTGAN_CACHE_DIR, else $XDG_CACHE_HOME/swiftgan, else
// ~/.cache/swiftgan, as mnist_test_features-<hash>.safetensors, where <hash> starts the
// SHA-256 of the classifier's weights file: new weights get a new file. The full hashes of
// the weights and of the MNIST test images are also stored in the file and checked on load.
import Autograd
import Foundation
import NN
import Vision

public struct ReferenceFeatures: Sendable {
    /// Row-major [count, dimension] features of the real images.
    public let features: [Float]
    public let dimension: Int
    public let statistics: FeatureStatistics
    public var count: Int { features.count / dimension }

    public init(features: [Float], dimension: Int) {
        self.features = features
        self.dimension = dimension
        statistics = FeatureStatistics(features: features, dimension: dimension)
    }

    /// `n` real feature vectors (a fixed pseudo-random subset, all when n >= count), for
    /// precision and recall, which compare sets of equal size.
    public func subset(_ n: Int) -> [Float] {
        guard n < count else { return features }
        let rows = RandomGenerator(seed: 0x5EED).permutation(count).prefix(n)
        var out = [Float]()
        out.reserveCapacity(n * dimension)
        for r in rows { out += features[(r * dimension)..<((r + 1) * dimension)] }
        return out
    }
}

public enum ReferenceCache {
    public static let environmentVariable = "SWIFTGAN_CACHE_DIR"

    /// The cache folder (see the file comment).
    public static func directory() -> URL {
        let env = ProcessInfo.processInfo.environment
        if let dir = env[environmentVariable], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return URL(fileURLWithPath: xdg).appendingPathComponent("swiftgan") }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/swiftgan")
    }

    /// The cache file for weights with this SHA-256.
    public static func file(weightsHash: String, in folder: URL? = nil) -> URL {
        (folder ?? directory()).appendingPathComponent("mnist_test_features-\(weightsHash.prefix(16)).safetensors")
    }

    /// The MNIST test features of `classifier` (whose weights file hashes to `weightsHash`):
    /// read from the cache when it is valid, otherwise computed and written there.
    /// `announce` is told before a slow computation.
    public static func testFeatures(classifier: MNISTClassifier, weightsHash: String, mnistDirectory: URL? = nil,
                                    cacheDirectory: URL? = nil, announce: (String) -> Void = { _ in }) throws -> ReferenceFeatures {
        let mnist = try MNIST(split: .test, directory: mnistDirectory)
        let dataHash = sha256Hex(mnist.pixels)
        let url = file(weightsHash: weightsHash, in: cacheDirectory)
        if let cached = try? SafeTensors.read(url.path), cached.metadata["weights_sha256"] == weightsHash,
           cached.metadata["mnist_test_sha256"] == dataHash, let t = cached["features"],
           t.shape == [mnist.count, MNISTClassifier.featureDimension] {
            return ReferenceFeatures(features: t.scalars, dimension: MNISTClassifier.featureDimension)
        }
        announce("Computing the features of the \(mnist.count) MNIST test images once; caching them in \(url.path)")
        let images = try MNISTTensors(split: .test, directory: mnistDirectory).images
        let outputs = classifier.outputs(for: images)
        var dict = StateDict([("features", Tensor(shape: [outputs.count, MNISTClassifier.featureDimension], scalars: outputs.features))])
        dict.metadata = ["weights_sha256": weightsHash, "mnist_test_sha256": dataHash]
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try SafeTensors.write(dict, to: url.path)
        } catch {
            // A read-only home is no reason to fail: the features are simply not reused.
            announce("warning: could not cache the test features in \(url.path): \(error)")
        }
        return ReferenceFeatures(features: outputs.features, dimension: MNISTClassifier.featureDimension)
    }
}
