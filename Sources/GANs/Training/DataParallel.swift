// Data parallelism as PyTorch's DistributedDataParallel does it: every rank holds the whole
// model (rank 0's weights at the start), trains on its rows of each global batch, and the
// gradients are averaged across ranks in buckets whose all-reduce starts while backward
// is still running (GradientBuckets), before each optimiser updates. Every rank then
// applies the same update, so the ranks' weights stay identical.
import Autograd
import Foundation
import NN

public final class DataParallel: @unchecked Sendable {
    public let group: Collective
    /// Batch norm over the global batch (`--sync-bn`) rather than each rank's rows.
    public let synchronisedBatchNorm: Bool
    /// Floats per gradient bucket (PyTorch's default bucket is 25 MB).
    public let bucketFloats: Int
    /// When false, each rank trains alone (`gan bench --distributed` times compute this way).
    public var averagesGradients = true
    /// Seconds spent waiting for all-reduces that backward did not hide, since the start.
    public internal(set) var communicationSeconds: Double = 0

    public var rank: Int { group.rank }
    public var size: Int { group.size }
    public var isRoot: Bool { group.rank == 0 }

    public init(group: Collective, synchronisedBatchNorm: Bool = false, bucketMB: Double = 25) {
        self.group = group
        self.synchronisedBatchNorm = synchronisedBatchNorm
        bucketFloats = Swift.max(1, Int(bucketMB * 1_048_576 / 4))
    }

    /// The data parallelism of the training step running now (see `optimize`).
    nonisolated(unsafe) static var active: (parallel: DataParallel, weight: Float)?

    /// Gives every rank rank 0's parameters and buffers, and, with `--sync-bn`, makes the
    /// model's batch norms normalise over all ranks.
    public func prepare(_ model: any GANModel) {
        for (_, network) in model.networks {
            for p in network.parameters() { p.broadcastInPlace(from: 0, over: group) }
            for b in network.namedBuffers() { b.tensor.broadcastInPlace(from: 0, over: group) }
            if synchronisedBatchNorm {
                for norm in network.modules().compactMap({ $0 as? BatchNorm }) { norm.synchronisation = group }
            }
        }
    }

    /// Returns once every rank has called it.
    public func barrier() {
        var token: [Float] = [0]
        token.withUnsafeMutableBufferPointer { group.allReduceSum($0) }
    }

    /// Checks that this rank resumed from the same position as rank 0.
    func checkSamePosition(_ batchesDone: Int) throws {
        var position = [Double(batchesDone)]
        position.withUnsafeMutableBytes { group.broadcast($0, from: 0) }
        guard Int(position[0]) == batchesDone else {
            throw CheckpointError("rank \(rank) found a checkpoint after batch \(batchesDone), rank 0 one after batch \(Int(position[0])); every rank must see the run folder")
        }
    }

    /// This rank's rows of a global batch of `total`.
    public func shard(of total: Int) -> BatchShard { BatchShard(rank: rank, of: size, total: total) }

    /// Checks that every rank gets rows of every batch, two at least where a batch norm
    /// normalises each rank's rows alone.
    public func check(_ model: any GANModel, batchSize: Int, examples: Int) throws {
        let last = examples % batchSize
        let smallest = Swift.min(batchSize, last > 1 ? last : batchSize) / size
        let perReplicaNorm = !synchronisedBatchNorm && model.networks.contains { $0.module.modules().contains { $0 is BatchNorm } }
        let needed = perReplicaNorm ? 2 : 1
        guard smallest >= needed else {
            throw ConfigError("--batch-size \(batchSize) over \(size) ranks gives a rank \(smallest) examples of a batch"
                              + (last > 1 && last < batchSize ? " (the last batch of an epoch holds \(last))" : "")
                              + "; \(type(of: model).info.name) needs \(needed)" + (perReplicaNorm ? " for its batch norms (or use --sync-bn)" : "")
                              + ": use a larger --batch-size or fewer ranks")
        }
    }

    /// Runs a training step on this rank's `shard`: random draws cut to it, and every
    /// optimiser step (`optimize`) averaging gradients over the ranks.
    public func step<T>(_ shard: BatchShard, _ body: () throws -> T) rethrows -> T {
        let saved = Self.active
        Self.active = averagesGradients ? (self, Float(shard.count) / Float(shard.total)) : nil
        defer { Self.active = saved }
        return try BatchShard.with(shard, body)
    }

    /// Each loss as the mean over the global batch (rank r's weighted by its rows), and
    /// whether any rank was interrupted, in one all-reduce: every rank then takes the same
    /// decisions (stop, diverged, checkpoint).
    public func agree(losses: Losses, shard: BatchShard, signal: Int32?) -> (losses: Losses, signal: Int32?) {
        let weight = Float(shard.count) / Float(shard.total)
        var values = losses.map { $0.value * weight } + [signal == nil ? 0 : 1, Float(signal ?? 0)]
        values.withUnsafeMutableBufferPointer { group.allReduceSum($0) }
        let agreed = zip(losses, values).map { (name: $0.name, value: $1) }
        let (interrupted, signals) = (values[values.count - 2], values[values.count - 1])
        // The ranks' signal when they got the same one (mpirun passes one to all).
        return (agreed, interrupted == 0 ? nil : signal ?? Int32((signals / interrupted).rounded()))
    }

    /// Clears the gradients, back-propagates `loss` with the gradients averaged over the
    /// ranks in buckets, and steps the optimiser (`optimize` of the zoo when a step runs
    /// data-parallel).
    func optimize(_ optimizer: Optimizer, _ loss: Tensor, weight: Float) throws {
        optimizer.zeroGrad()
        let buckets = GradientBuckets(group: group, capacity: bucketFloats, scale: weight) { p, g in
            if !optimizer.consume(p, gradient: g) { p.grad = g }
        }
        try loss.backward(only: optimizer.parameters, consumingLeafGradients: { p, g in
            buckets.add(p, g)
            return true
        })
        communicationSeconds += buckets.finish()
        optimizer.step()   // parameters the optimiser could not take one at a time
        optimizer.zeroGrad()
    }
}
