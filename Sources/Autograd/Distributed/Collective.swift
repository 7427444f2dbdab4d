// What data-parallel training asks of its group of processes: sums of float buffers across
// every process (blocking, or started and completed later so they overlap backward), a
// broadcast and a stop. The `MPI` trait provides one over Open MPI (Sources/MPICollective);
// the engine knows only this protocol, so the default build needs no MPI.

/// A group of processes ("ranks") that run the same program on different data.
public protocol Collective: AnyObject {
    /// This process's number, 0..<size.
    var rank: Int { get }
    var size: Int { get }
    /// Replaces `buffer` on every rank by its sum over all ranks.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>)
    /// As `allReduceSum`, started now and finished by the request; `buffer` must stay
    /// untouched until then.
    func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) -> CollectiveRequest
    /// Replaces `buffer` on every rank by rank `root`'s.
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int)
    /// Ends every rank's process with `code` (a rank that failed or was interrupted).
    func abort(_ code: Int32) -> Never
}

/// A collective operation under way.
public protocol CollectiveRequest: AnyObject {
    /// Lets the operation progress; true once it is complete.
    func test() -> Bool
    /// Blocks until the operation is complete.
    func wait()
}

extension Tensor {
    /// The sum of this tensor over all ranks (every rank calls it with the same shape).
    /// Differentiable: each rank's gradient is the sum of the output's gradients, so
    /// statistics shared across ranks (synchronised batch norm) back-propagate exactly,
    /// to any order.
    public func allReduceSum(over group: Collective) -> Tensor {
        let out = copy()
        group.allReduceSum(out.storage.buffer)
        return out.recorded("all_reduce_sum", [self]) { g in [g.allReduceSum(over: group)] }
    }

    /// The tensors' elements one after another, each times `scale`, in one flat tensor whose
    /// sum over the ranks `startAllReduceSumInPlace` can then take (a gradient bucket). Its
    /// storage comes from the buffer pool, so a step's buckets reuse the last step's memory.
    public static func bucket(of parts: [Tensor], scale: Float) -> Tensor {
        let count = parts.reduce(0) { $0 + $1.count }
        let out = Tensor(shape: [count], storage: TensorStorage(uninitializedCount: count))
        var offset = 0
        for part in parts {
            let src = part.storage.pointer, dst = out.storage.pointer + offset
            for i in 0..<part.count { dst[i] = src[i] * scale }
            offset += part.count
        }
        return out
    }

    /// Starts replacing the elements by their sum over all ranks; the tensor must stay
    /// untouched until the request completes.
    public func startAllReduceSumInPlace(over group: Collective) -> CollectiveRequest {
        group.startAllReduceSum(storage.buffer)
    }

    /// Replaces the elements by rank `root`'s (parameters and buffers at the start of a
    /// distributed run), outside any graph.
    public func broadcastInPlace(from root: Int, over group: Collective) {
        group.broadcast(UnsafeMutableRawBufferPointer(storage.buffer), from: root)
    }
}
