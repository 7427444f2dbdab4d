// torch.optim.Adam, same arithmetic order (lerp for the first moment, bias corrections
// from per-parameter step counts, eps added after dividing by sqrt of correction 2).
import Autograd

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
        let m = buffer("exp_avg", i), v = buffer("exp_avg_sq", i)
        steps[i] += 1
        OptimizerStep.adam(parameter: p, gradient: g, expAvg: m, expAvgSq: v, step: steps[i], learningRate: learningRate,
                           beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
        return true
    }

    override public func step() {
        // Without amsgrad every tensor goes to one fused C call that splits all of them over the cores.
        var fused = FusedAdamStep()
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            precondition(g.shape == p.shape, "Adam: gradient shape \(g.shape) differs from parameter shape \(p.shape)")
            let m = buffer("exp_avg", i), v = buffer("exp_avg_sq", i)
            steps[i] += 1
            if amsgrad {
                OptimizerStep.adam(parameter: p, gradient: g, expAvg: m, expAvgSq: v, maxExpAvgSq: buffer("max_exp_avg_sq", i),
                                   step: steps[i], learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps,
                                   weightDecay: weightDecay)
            } else {
                fused.append(parameter: p, gradient: g, expAvg: m, expAvgSq: v, step: steps[i])
            }
        }
        fused.run(learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    }
}
