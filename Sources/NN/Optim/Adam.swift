// torch.optim.Adam, same arithmetic order (lerp for the first moment, bias corrections
// from per-parameter step counts, eps added after dividing by sqrt of correction 2).
import Foundation
import Autograd
import CKernels

public final class Adam: Optimizer {
    public var beta1: Float
    public var beta2: Float
    public var eps: Float
    /// L2 penalty added to the gradient (Adam, not AdamW).
    public var weightDecay: Float
    public var amsgrad: Bool

    public init(parameters: [Tensor], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                eps: Float = 1e-8, weightDecay: Float = 0, amsgrad: Bool = false) {
        beta1 = betas.0
        beta2 = betas.1
        self.eps = eps
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        super.init(parameters: parameters, learningRate: learningRate)
    }

    override public func consume(_ p: Tensor, gradient g: Tensor) -> Bool {
        guard !amsgrad, let i = index(of: p) else { return false }
        precondition(g.shape == p.shape, "Adam: gradient shape \(g.shape) differs from parameter shape \(p.shape)")
        let m = buffer("exp_avg", i).storage.pointer
        let v = buffer("exp_avg_sq", i).storage.pointer
        steps[i] += 1
        withExtendedLifetime(g) {
            ck_adam_step(p.storage.pointer, g.storage.pointer, m, v, p.count, learningRate, beta1, beta2, eps,
                         weightDecay, steps[i])
        }
        return true
    }

    override public func step() {
        // Without amsgrad every tensor goes to one fused C call that splits all of them over the cores.
        var fused = FusedStepArguments()
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            precondition(g.shape == p.shape, "Adam: gradient shape \(g.shape) differs from parameter shape \(p.shape)")
            let m = buffer("exp_avg", i).storage.pointer
            let v = buffer("exp_avg_sq", i).storage.pointer
            let vmax = amsgrad ? buffer("max_exp_avg_sq", i).storage.pointer : nil
            steps[i] += 1
            if vmax == nil {
                fused.append(p, g, m, v, step: steps[i])
                continue
            }
            let t = Double(steps[i])
            // Python floats (double) in torch; cast to float32 when applied to tensors.
            let stepSize = Float(Double(learningRate) / (1 - Foundation.pow(Double(beta1), t)))
            let correction2Sqrt = Float((1 - Foundation.pow(Double(beta2), t)).squareRoot())
            let w1 = 1 - beta1, w2 = 1 - beta2, b2 = beta2, eps = eps, wd = weightDecay
            let pp = p.storage.pointer, gp = g.storage.pointer
            for k in 0..<p.count {
                var grad = gp[k]
                if wd != 0 { grad += wd * pp[k] }
                m[k] += w1 * (grad - m[k])  // lerp(m, g, 1 - beta1) for weights below 0.5
                v[k] = v[k] * b2 + w2 * grad * grad
                var second = v[k]
                if let vmax {
                    vmax[k] = Swift.max(vmax[k], second)
                    second = vmax[k]
                }
                let denom = second.squareRoot() / correction2Sqrt + eps
                pp[k] += -stepSize * (m[k] / denom)
            }
        }
        fused.run { count, params, grads, first, second, sizes, steps in
            ck_adam_step_many(count, params, grads, first, second, sizes, steps, learningRate, beta1, beta2,
                              eps, weightDecay)
        }
    }
}
