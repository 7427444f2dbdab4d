// Where a run's batches come from. The trainer, the benchmark and the tests ask every kind of
// data for batches the same way; MNIST answers from memory, everything else through Vision's
// prefetching loader, which decodes and transforms on a background thread.
import Autograd
import Foundation
import Vision

/// The batches of a dataset, epoch after epoch. The order of an epoch depends only on the
/// run's seed and the epoch, so a resumed run sees the batches an uninterrupted one would.
public protocol BatchSource: AnyObject {
    /// Examples per epoch.
    var count: Int { get }
    var batchSize: Int { get }
    /// What the data is, for the line that starts a run ("60000 MNIST images").
    var summary: String { get }
    /// Batch `index` of epoch `epoch`. Called with consecutive indices within an epoch from
    /// any first one (a resumed run starts mid-epoch); sources that prepare batches ahead
    /// prepare the ones after it.
    func batch(_ index: Int, epoch: Int) throws -> TrainingBatch
    /// `count` fixed examples for progress pictures: the first ones of the evaluation split
    /// where the data has one, without random transforms.
    func examples(_ count: Int) throws -> TrainingBatch
}

extension BatchSource {
    /// Batches per epoch. The last one may be smaller, as PyTorch's DataLoader, but is left
    /// out when it would hold a single example, which batch norm cannot normalise.
    public var batchesPerEpoch: Int { count / batchSize + (count % batchSize > 1 ? 1 : 0) }
}

/// MNIST from memory (`MNISTTrainingSet`): the order and batches of every earlier release.
final class MNISTBatches: BatchSource {
    let data: MNISTTrainingSet
    let batchSize: Int
    let seed: UInt64
    let channels: Int
    private var epochOrder: (epoch: Int, order: [Int])?

    init(_ data: MNISTTrainingSet, batchSize: Int, seed: UInt64, channels: Int) {
        self.data = data
        self.batchSize = batchSize
        self.seed = seed
        self.channels = channels
    }

    var count: Int { data.count }
    var summary: String { "\(data.count) MNIST images" }

    func batch(_ index: Int, epoch: Int) throws -> TrainingBatch {
        if epochOrder?.epoch != epoch { epochOrder = (epoch, data.order(epoch: epoch, seed: seed)) }
        let (images, labels) = data.batch(index, order: epochOrder!.order, batchSize: batchSize)
        return TrainingBatch(images: colour(images), labels: labels)
    }

    func examples(_ count: Int) throws -> TrainingBatch {
        let (images, labels) = data.batch(0, order: Array(0..<data.count), batchSize: Swift.min(count, data.count))
        return TrainingBatch(images: colour(images), labels: labels)
    }

    /// Gray digits as colour images where the model wants three channels (PixelDA's source).
    private func colour(_ images: Tensor) -> Tensor {
        channels == 1 ? images : Tensor.concat(Array(repeating: images, count: channels), dim: 1)
    }
}

/// Any `Dataset` through the prefetching loader; `assemble` names the loader's image slots
/// and labels as the model's kind of data has them.
final class LoaderBatches: BatchSource {
    let loader: DataLoader
    let evaluation: any Dataset
    let summary: String
    let assemble: (Batch) throws -> TrainingBatch
    private var current: (epoch: Int, next: Int, batches: EpochBatches)?

    init(_ dataset: any Dataset, evaluation: (any Dataset)?, batchSize: Int, seed: UInt64, summary: String,
         assemble: @escaping (Batch) throws -> TrainingBatch) {
        loader = DataLoader(dataset: dataset, batchSize: batchSize, shuffle: true, seed: seed, prefetch: 4)
        self.evaluation = evaluation ?? dataset
        self.summary = summary
        self.assemble = assemble
    }

    deinit { current?.batches.close() }

    var count: Int { loader.dataset.count }
    var batchSize: Int { loader.batchSize }

    func batch(_ index: Int, epoch: Int) throws -> TrainingBatch {
        if current == nil || current!.epoch != epoch || current!.next != index {
            current?.batches.close()
            current = (epoch, index, loader.epoch(epoch, from: index))
        }
        guard let batch = try current!.batches.nextBatch() else {
            throw DataError(.empty, file: summary, "epoch \(epoch) ended before its batch \(index)")
        }
        current!.next += 1
        return try assemble(batch)
    }

    func examples(_ count: Int) throws -> TrainingBatch {
        let fixed = DataLoader(dataset: evaluation, batchSize: Swift.min(count, evaluation.count), shuffle: false, seed: 0)
        let batches = fixed.epoch(0)
        defer { batches.close() }
        guard let batch = try batches.nextBatch() else { throw DataError(.empty, file: summary, "no examples to picture") }
        return try assemble(batch)
    }
}
