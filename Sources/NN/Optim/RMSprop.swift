// torch.optim.RMSprop: square_avg = alpha*sq + (1-alpha)*g^2, eps added after the sqrt.
import Autograd

public final class RMSprop: Optimizer {
    public var alpha: Float
    public var eps: Float
    public var weightDecay: Float
    public var momentum: Float
    public var centered: Bool
    /// WGAN's weight clipping: every parameter is clamped to this range right after its
    /// update, in the same pass over memory (the numbers of a clamp after step()).
    public var clampAfterStep: ClosedRange<Float>?

    public init(parameters: [Tensor], learningRate: Float = 1e-2, alpha: Float = 0.99, eps: Float = 1e-8,
                weightDecay: Float = 0, momentum: Float = 0, centered: Bool = false) {
        self.alpha = alpha
        self.eps = eps
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
        super.init(parameters: parameters, learningRate: learningRate)
    }

    override public func consume(_ p: Tensor, gradient g: Tensor) -> Bool {
        guard !centered, momentum == 0, let i = index(of: p) else { return false }
        precondition(g.shape == p.shape, "RMSprop: gradient shape \(g.shape) differs from parameter shape \(p.shape)")
        let sq = buffer("square_avg", i)
        steps[i] += 1
        OptimizerStep.rmsprop(parameter: p, gradient: g, squareAvg: sq, learningRate: learningRate, alpha: alpha, eps: eps,
                              weightDecay: weightDecay, clampTo: clampAfterStep)
        return true
    }

    override public func step() {
        var fused = FusedRMSpropStep()
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            precondition(g.shape == p.shape, "RMSprop: gradient shape \(g.shape) differs from parameter shape \(p.shape)")
            let sq = buffer("square_avg", i)
            let avgGrad = centered ? buffer("grad_avg", i) : nil
            let buf = momentum > 0 ? buffer("momentum_buffer", i) : nil
            steps[i] += 1
            if avgGrad == nil && buf == nil {
                // The common case (WGAN's critic): one fused C pass over all such tensors, below.
                fused.append(parameter: p, gradient: g, squareAvg: sq)
            } else {
                OptimizerStep.rmsprop(parameter: p, gradient: g, squareAvg: sq, gradAvg: avgGrad, momentumBuffer: buf,
                                      learningRate: learningRate, alpha: alpha, eps: eps, weightDecay: weightDecay,
                                      momentum: momentum, clampTo: clampAfterStep)
            }
        }
        fused.run(learningRate: learningRate, alpha: alpha, eps: eps, weightDecay: weightDecay, clampTo: clampAfterStep)
    }
}
