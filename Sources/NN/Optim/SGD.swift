// torch.optim.SGD with momentum, dampening and Nesterov; the first momentum step copies
// the gradient, as torch does.
import Autograd

public final class SGD: Optimizer {
    public var momentum: Float
    public var dampening: Float
    public var weightDecay: Float
    public var nesterov: Bool

    public init(parameters: [Tensor], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and zero dampening")
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        super.init(parameters: parameters, learningRate: learningRate)
    }

    override public func step() {
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            precondition(g.shape == p.shape, "SGD: gradient shape \(g.shape) differs from parameter shape \(p.shape)")
            let first = state[i]["momentum_buffer"] == nil
            let buf = momentum != 0 ? buffer("momentum_buffer", i) : nil
            steps[i] += 1
            OptimizerStep.sgd(parameter: p, gradient: g, momentumBuffer: buf, firstMomentumStep: first, learningRate: learningRate,
                              momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
        }
    }
}
