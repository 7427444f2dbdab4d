// Adam's and RMSprop's update of many parameter tensors in one C call (ck_adam_step_many,
// ck_rmsprop_step_many): the kernel splits all of them over the cores at once instead of
// one call per tensor, with the numbers of one OptimizerStep call per tensor.
import CKernels

/// Collects the tensors of a fused Adam step, then runs it.
public struct FusedAdamStep {
    private var lists = FusedStepLists()

    public init() {}

    /// Adds `parameter` with its gradient, moments and step count (from 1).
    public mutating func append(parameter: Tensor, gradient: Tensor, expAvg: Tensor, expAvgSq: Tensor, step: Int) {
        OptimizerStep.checkCounts("adam", parameter, gradient, expAvg, expAvgSq)
        lists.append(parameter, gradient, expAvg, expAvgSq, step: step)
    }

    /// Updates every tensor added (nothing when none was).
    public func run(learningRate: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float) {
        lists.withLists { count, params, grads, m, v, sizes, steps in
            ck_adam_step_many(count, params, grads, m, v, sizes, steps, learningRate, beta1, beta2, eps, weightDecay)
        }
    }
}

/// Collects the tensors of a fused plain RMSprop step (not centred, no momentum), then runs it.
public struct FusedRMSpropStep {
    private var lists = FusedStepLists()

    public init() {}

    /// Adds `parameter` with its gradient and square average.
    public mutating func append(parameter: Tensor, gradient: Tensor, squareAvg: Tensor) {
        OptimizerStep.checkCounts("rmsprop", parameter, gradient, squareAvg)
        lists.append(parameter, gradient, squareAvg, nil, step: 0)
    }

    /// Updates every tensor added, each element then clamped to `clampTo` (NaN stays NaN).
    public func run(learningRate: Float, alpha: Float, eps: Float, weightDecay: Float,
                    clampTo range: ClosedRange<Float>? = nil) {
        let (lo, hi) = OptimizerStep.clampBounds(range)
        lists.withLists { count, params, grads, squares, _, sizes, _ in
            ck_rmsprop_step_many(count, params, grads, squares, sizes, learningRate, alpha, eps, weightDecay, lo, hi)
        }
    }
}

/// The pointer lists the multi-tensor kernels take. Holds the tensors so that their storage
/// outlives the call.
struct FusedStepLists {
    private var tensors: [Tensor] = []
    private var params: [UnsafeMutablePointer<Float>?] = []
    private var grads: [UnsafePointer<Float>?] = []
    private var first: [UnsafeMutablePointer<Float>?] = []
    private var second: [UnsafeMutablePointer<Float>?] = []
    private var sizes: [Int] = []
    private var steps: [Int] = []

    mutating func append(_ p: Tensor, _ g: Tensor, _ a: Tensor, _ b: Tensor?, step: Int) {
        tensors.append(contentsOf: [p, g, a])
        if let b { tensors.append(b) }
        params.append(p.storage.pointer)
        grads.append(UnsafePointer(g.storage.pointer))
        first.append(a.storage.pointer)
        second.append(b?.storage.pointer)
        sizes.append(p.count)
        steps.append(step)
    }

    /// Calls `body` with the lists (nothing when empty).
    func withLists(_ body: (Int, UnsafePointer<UnsafeMutablePointer<Float>?>, UnsafePointer<UnsafePointer<Float>?>,
                            UnsafePointer<UnsafeMutablePointer<Float>?>, UnsafePointer<UnsafeMutablePointer<Float>?>,
                            UnsafePointer<Int>, UnsafePointer<Int>) -> Void) {
        guard !sizes.isEmpty else { return }
        withExtendedLifetime(tensors) {
            params.withUnsafeBufferPointer { p in
                grads.withUnsafeBufferPointer { g in
                    first.withUnsafeBufferPointer { a in
                        second.withUnsafeBufferPointer { b in
                            sizes.withUnsafeBufferPointer { n in
                                steps.withUnsafeBufferPointer { s in
                                    body(sizes.count, p.baseAddress!, g.baseAddress!, a.baseAddress!, b.baseAddress!, n.baseAddress!,
                                         s.baseAddress!)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
