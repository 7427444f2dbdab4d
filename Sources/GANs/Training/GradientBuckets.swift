// DDP's gradient buckets: gradients are copied, as backward completes them, into buckets
// of about `capacity` floats; a full bucket's all-reduce starts at once and runs while
// backward computes the next gradients. Every rank completes the same gradients in the
// same order (the same graph), so the ranks' buckets match. A bucket whose all-reduce has
// finished hands its averaged gradients to the optimiser still during backward.
import Autograd
import Foundation

final class GradientBuckets {
    private struct Bucket {
        let sums: Tensor
        let members: [(parameter: Tensor, offset: Int)]
        let request: CollectiveRequest
    }

    private let group: Collective
    private let capacity: Int
    private let scale: Float
    private let deliver: (Tensor, Tensor) -> Void
    private var filling: [(parameter: Tensor, gradient: Tensor)] = []
    private var fillingCount = 0
    private var inFlight: [Bucket] = []
    private var waited: Double = 0

    /// `scale` multiplies this rank's gradients before the sum (its share of the global
    /// batch); `deliver` gets each parameter's summed gradient.
    init(group: Collective, capacity: Int, scale: Float, deliver: @escaping (Tensor, Tensor) -> Void) {
        self.group = group
        self.capacity = capacity
        self.scale = scale
        self.deliver = deliver
    }

    /// A parameter's gradient is complete.
    func add(_ parameter: Tensor, _ gradient: Tensor) {
        filling.append((parameter, gradient))
        fillingCount += gradient.count
        if fillingCount >= capacity { launch() }
        deliverFinished()
    }

    /// Sends the last bucket, waits for every all-reduce and delivers the rest; returns
    /// the seconds spent waiting.
    func finish() -> Double {
        launch()
        let start = DispatchTime.now().uptimeNanoseconds
        for bucket in inFlight { bucket.request.wait() }
        waited += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        for bucket in inFlight { complete(bucket) }
        inFlight.removeAll()
        return waited
    }

    private func launch() {
        guard !filling.isEmpty else { return }
        let sums = Tensor.bucket(of: filling.map(\.gradient), scale: scale)
        var members: [(parameter: Tensor, offset: Int)] = []
        var offset = 0
        for (p, g) in filling {
            members.append((p, offset))
            offset += g.count
        }
        filling.removeAll(keepingCapacity: true)
        fillingCount = 0
        inFlight.append(Bucket(sums: sums, members: members, request: sums.startAllReduceSumInPlace(over: group)))
    }

    /// Delivers the buckets at the front whose all-reduce is done (testing also lets
    /// MPI progress them).
    private func deliverFinished() {
        while let first = inFlight.first, first.request.test() {
            complete(first)
            inFlight.removeFirst()
        }
    }

    private func complete(_ bucket: Bucket) {
        bucket.sums.withUnsafeElements { sums in
            for (p, offset) in bucket.members {
                let g = Tensor(shape: p.shape) { dst in
                    dst.baseAddress!.update(from: sums.baseAddress! + offset, count: dst.count)
                }
                deliver(p, g)
            }
        }
    }
}
