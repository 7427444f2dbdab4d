// torch.optim.RMSprop: square_avg = alpha*sq + (1-alpha)*g^2, eps added after the sqrt.
import Autograd
import CKernels

public final class RMSprop: Optimizer {
    public var alpha: Float
    public var eps: Float
    public var weightDecay: Float
    public var momentum: Float
    public var centered: Bool
    /// WGAN's weight clipping: every parameter is clamped to this range right after its
    /// update, in the same pass over memory (the numbers of a clamp after step()).
    public var clampAfterStep: ClosedRange<Float>?
    private var clampBounds: (Float, Float) {
        clampAfterStep.map { ($0.lowerBound, $0.upperBound) } ?? (-.infinity, .infinity)
    }

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
        let sq = buffer("square_avg", i).storage.pointer
        steps[i] += 1
        withExtendedLifetime(g) {
            let (lo, hi) = clampBounds
            ck_rmsprop_step(p.storage.pointer, g.storage.pointer, sq, p.count, learningRate, alpha, eps, weightDecay, lo, hi)
        }
        return true
    }

    override public func step() {
        var fused = FusedStepArguments()
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            precondition(g.shape == p.shape, "RMSprop: gradient shape \(g.shape) differs from parameter shape \(p.shape)")
            let sq = buffer("square_avg", i).storage.pointer
            let avgGrad = centered ? buffer("grad_avg", i).storage.pointer : nil
            let buf = momentum > 0 ? buffer("momentum_buffer", i).storage.pointer : nil
            steps[i] += 1
            if avgGrad == nil && buf == nil {
                // The common case (WGAN's critic): one fused C pass over all such tensors, below.
                fused.append(p, g, sq, nil, step: steps[i])
                continue
            }
            let a = alpha, w = 1 - alpha, eps = eps, wd = weightDecay, mom = momentum, lr = learningRate
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
                if let range = clampAfterStep {   // as CK_CLAMP (NaN stays NaN)
                    let q = pp[k]
                    pp[k] = q < range.lowerBound ? range.lowerBound : (q > range.upperBound ? range.upperBound : q)
                }
            }
        }
        let (lo, hi) = clampBounds
        fused.run { count, params, grads, squares, _, sizes, _ in
            ck_rmsprop_step_many(count, params, grads, squares, sizes, learningRate, alpha, eps, weightDecay, lo, hi)
        }
    }
}
