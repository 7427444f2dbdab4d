// The optimisers' updates (NN's Adam, RMSprop, SGD), one parameter tensor at a time. They
// write the parameter and its state buffers in place, so they live in the engine, outside
// the graph (as torch.optim under no_grad). The common cases run a C kernel; the variants
// without one (AMSGrad, centred or momentum RMSprop, SGD) a loop in torch's order of operations.
import Foundation
import CKernels

public enum OptimizerStep {
    /// torch.optim.Adam's update of `parameter` from `gradient` (L2 `weightDecay` added to
    /// the gradient), the moments `expAvg` and `expAvgSq`, and with `maxExpAvgSq` AMSGrad's
    /// running maximum of the second moment; `step` counts from 1 and sets the bias corrections.
    public static func adam(parameter p: Tensor, gradient g: Tensor, expAvg: Tensor, expAvgSq: Tensor,
                            maxExpAvgSq: Tensor? = nil, step: Int, learningRate: Float, beta1: Float, beta2: Float,
                            eps: Float, weightDecay: Float) {
        checkCounts("adam", p, g, expAvg, expAvgSq, maxExpAvgSq)
        let m = expAvg.storage.pointer, v = expAvgSq.storage.pointer
        guard let vmax = maxExpAvgSq?.storage.pointer else {
            ck_adam_step(p.storage.pointer, g.storage.pointer, m, v, p.count, learningRate, beta1, beta2, eps,
                         weightDecay, step)
            return
        }
        let t = Double(step)
        // Python floats (double) in torch; cast to float32 when applied to tensors.
        let stepSize = Float(Double(learningRate) / (1 - Foundation.pow(Double(beta1), t)))
        let correction2Sqrt = Float((1 - Foundation.pow(Double(beta2), t)).squareRoot())
        let w1 = 1 - beta1, w2 = 1 - beta2, b2 = beta2, wd = weightDecay
        let pp = p.storage.pointer, gp = g.storage.pointer
        for k in 0..<p.count {
            var grad = gp[k]
            if wd != 0 { grad += wd * pp[k] }
            m[k] += w1 * (grad - m[k])  // lerp(m, g, 1 - beta1) for weights below 0.5
            v[k] = v[k] * b2 + w2 * grad * grad
            vmax[k] = Swift.max(vmax[k], v[k])
            let denom = vmax[k].squareRoot() / correction2Sqrt + eps
            pp[k] += -stepSize * (m[k] / denom)
        }
    }

    /// torch.optim.RMSprop's update of `parameter` from `gradient` and `squareAvg`, centred
    /// when given `gradAvg`, with momentum when given `momentumBuffer`; then every element is
    /// clamped to `clampTo` in the same pass (WGAN's weight clipping; NaN stays NaN).
    public static func rmsprop(parameter p: Tensor, gradient g: Tensor, squareAvg: Tensor, gradAvg: Tensor? = nil,
                               momentumBuffer: Tensor? = nil, learningRate: Float, alpha: Float, eps: Float,
                               weightDecay: Float, momentum: Float = 0, clampTo range: ClosedRange<Float>? = nil) {
        checkCounts("rmsprop", p, g, squareAvg, gradAvg, momentumBuffer)
        let sq = squareAvg.storage.pointer
        let avgGrad = gradAvg?.storage.pointer, buf = momentumBuffer?.storage.pointer
        if avgGrad == nil && buf == nil {
            let (lo, hi) = clampBounds(range)
            ck_rmsprop_step(p.storage.pointer, g.storage.pointer, sq, p.count, learningRate, alpha, eps, weightDecay, lo, hi)
            return
        }
        let a = alpha, w = 1 - alpha, wd = weightDecay, mom = momentum, lr = learningRate
        let pp = p.storage.pointer, gp = g.storage.pointer
        for k in 0..<p.count {
            var grad = gp[k]
            if wd != 0 { grad += wd * pp[k] }
            sq[k] = sq[k] * a + w * grad * grad
            var avg: Float
            if let avgGrad {
                avgGrad[k] += w * (grad - avgGrad[k])
                avg = (sq[k] - avgGrad[k] * avgGrad[k]).squareRoot()
            } else {
                avg = sq[k].squareRoot()
            }
            avg += eps
            if let buf {
                buf[k] = buf[k] * mom + grad / avg
                pp[k] += -lr * buf[k]
            } else {
                pp[k] += -lr * (grad / avg)
            }
            if let range {   // as CK_CLAMP (NaN stays NaN)
                let q = pp[k]
                pp[k] = q < range.lowerBound ? range.lowerBound : (q > range.upperBound ? range.upperBound : q)
            }
        }
    }

    /// torch.optim.SGD's update of `parameter` from `gradient`, with momentum when given
    /// `momentumBuffer`: a new buffer (`firstMomentumStep`) takes the gradient as it is, as torch's.
    public static func sgd(parameter p: Tensor, gradient g: Tensor, momentumBuffer: Tensor? = nil,
                           firstMomentumStep: Bool = false, learningRate: Float, momentum: Float = 0,
                           dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        checkCounts("sgd", p, g, momentumBuffer)
        let buf = momentumBuffer?.storage.pointer, first = firstMomentumStep
        let mom = momentum, keep = 1 - dampening, wd = weightDecay, lr = learningRate
        let pp = p.storage.pointer, gp = g.storage.pointer
        for k in 0..<p.count {
            var d = gp[k]
            if wd != 0 { d += wd * pp[k] }
            if let buf {
                buf[k] = first ? d : buf[k] * mom + keep * d
                d = nesterov ? d + mom * buf[k] : buf[k]
            }
            pp[k] += -lr * d
        }
    }

    /// The kernels' bounds for an optional clamp (none: the whole line, which changes nothing).
    static func clampBounds(_ range: ClosedRange<Float>?) -> (Float, Float) {
        range.map { ($0.lowerBound, $0.upperBound) } ?? (-.infinity, .infinity)
    }

    /// The gradient and every state buffer are read and written element for element with the parameter.
    static func checkCounts(_ name: String, _ p: Tensor, _ others: Tensor?...) {
        for case let t? in others where t.count != p.count {
            shapeFailure("\(name) step: a tensor of shape \(Shape.describe(t.shape)) for a parameter of shape \(Shape.describe(p.shape))")
        }
    }
}
