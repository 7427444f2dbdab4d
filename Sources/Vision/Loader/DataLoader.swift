// The data loader: seeded shuffling, batching, and decoding/transforms on a background
// thread that runs ahead of training by a bounded number of batches.
import Autograd
import Foundation

/// What the loader does with an example whose file cannot be read or decoded.
public enum BadExamplePolicy: Sendable {
    /// Stop: the error is thrown from `next()`.
    case stop
    /// Skip the example, report a warning, and fill the batch with the next one.
    case skip
}

/// Batches of a dataset, epoch after epoch. The order of epoch `e` depends only on the
/// seed and `e`; random transforms of example `i` in epoch `e` draw from a generator seeded
/// from (seed, e, i), so results do not depend on thread timing or skipped examples.
public final class DataLoader: Sendable {
    public let dataset: any Dataset
    public let batchSize: Int
    public let shuffle: Bool
    public let seed: UInt64
    public let dropLast: Bool
    /// How many batches the worker may prepare ahead of the consumer.
    public let prefetch: Int
    public let badExamples: BadExamplePolicy
    /// Receives each warning about a skipped example (also printed to standard error).
    public let onWarning: (@Sendable (String) -> Void)?

    public init(dataset: any Dataset, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false,
                prefetch: Int = 2, badExamples: BadExamplePolicy = .stop, onWarning: (@Sendable (String) -> Void)? = nil) {
        precondition(batchSize > 0, "DataLoader: batchSize must be positive")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        self.prefetch = max(prefetch, 1)
        self.badExamples = badExamples
        self.onWarning = onWarning
    }

    /// Batches per epoch when no example is skipped.
    public var batchesPerEpoch: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The dataset indices of epoch `epoch`, in the order they are served.
    public func order(epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<dataset.count) }
        return RandomGenerator(seed: SeedMixer.mix(seed, UInt64(epoch))).permutation(dataset.count)
    }

    /// Starts a worker preparing epoch `epoch` from its batch `first` on (a resumed run
    /// starts mid-epoch) and returns the batches as they come. With `.skip`, a skipped
    /// example shifts the later batches of its epoch, which a resume from a batch index does
    /// not know of.
    public func epoch(_ epoch: Int, from first: Int = 0) -> EpochBatches {
        EpochBatches(loader: self, epoch: epoch, first: first)
    }

    /// The generator for example `index` in `epoch`'s random transforms.
    func exampleGenerator(epoch: Int, index: Int) -> RandomGenerator {
        RandomGenerator(seed: SeedMixer.mix(seed, UInt64(epoch), UInt64(index)))
    }
}

/// Mixes integers into one seed (SplitMix64's finaliser over a running combination).
enum SeedMixer {
    static func mix(_ values: UInt64...) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        for v in values {
            h = (h ^ v) &+ 0x9E37_79B9_7F4A_7C15
            h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 31
        }
        return h
    }
}
