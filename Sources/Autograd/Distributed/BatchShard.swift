// Data parallelism draws the random numbers of the whole batch on every rank: a draw whose
// first dimension is the shard's (noise, interpolation weights, dropout masks, labels) is
// made for the global batch and cut to this rank's rows. Every rank's streams then advance
// exactly as one process's would, so ranks hold the same stream positions (a checkpoint
// resumes with any number of ranks) and their shards together are one process's draws.

/// The rows `start..<start + count` of a global batch of `total` this process trains on.
public struct BatchShard: Sendable, Equatable {
    public let start: Int
    public let count: Int
    public let total: Int

    public init(start: Int, count: Int, total: Int) {
        precondition(start >= 0 && count >= 0 && start + count <= total, "BatchShard: rows \(start)..<\(start + count) of \(total)")
        self.start = start
        self.count = count
        self.total = total
    }

    /// Rank `rank`'s rows of a batch of `total` split over `ranks` as evenly as possible.
    public init(rank: Int, of ranks: Int, total: Int) {
        let base = total / ranks, extra = total % ranks
        self.init(start: rank * base + Swift.min(rank, extra), count: base + (rank < extra ? 1 : 0), total: total)
    }

    /// The shard random draws are cut to while a training step runs (set by the trainer).
    nonisolated(unsafe) public private(set) static var current: BatchShard?

    /// Runs `body` with `shard` as the current one.
    public static func with<T>(_ shard: BatchShard?, _ body: () throws -> T) rethrows -> T {
        let saved = current
        current = shard
        defer { current = saved }
        return try body()
    }
}

extension Tensor {
    /// A tensor of `shape` filled by `fill`; under a current shard whose rows this shape
    /// has, filled for the global batch and cut to the shard's rows.
    static func drawn(_ shape: [Int], _ fill: (UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        guard let shard = BatchShard.current, shard.count != shard.total, shape.first == shard.count else {
            let t = Tensor.uninitialized(shape)
            fill(t.storage.pointer, t.count)
            return t
        }
        let whole = Tensor.uninitialized([shard.total] + shape.dropFirst())
        fill(whole.storage.pointer, whole.count)
        let t = Tensor.uninitialized(shape)
        let row = Shape.count(Array(shape.dropFirst()))
        t.storage.pointer.update(from: whole.storage.pointer + shard.start * row, count: t.count)
        return t
    }
}
