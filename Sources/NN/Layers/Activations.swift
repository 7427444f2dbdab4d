// Activation layers (stateless except PReLU's learned slopes).
import Autograd

public final class ReLU: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) -> Tensor { input.relu() }
}

public final class LeakyReLU: Module {
    public let negativeSlope: Float
    public init(_ negativeSlope: Float = 0.01) {
        self.negativeSlope = negativeSlope
        super.init()
    }
    override public func forward(_ input: Tensor) -> Tensor { input.leakyRelu(negativeSlope) }
}

public final class ELU: Module {
    public let alpha: Float
    public init(alpha: Float = 1) {
        self.alpha = alpha
        super.init()
    }
    override public func forward(_ input: Tensor) -> Tensor { input.elu(alpha: alpha) }
}

/// Learned negative slopes: one shared (numParameters 1) or one per channel.
public final class PReLU: Module {
    @Parameter public var weight: Tensor
    public init(numParameters: Int = 1, initialValue: Float = 0.25) {
        weight = Tensor.full([numParameters], initialValue)
        super.init()
    }
    override public func forward(_ input: Tensor) -> Tensor { prelu(input, weight: weight) }
}

public final class Sigmoid: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}

public final class Tanh: Module {
    override public init() { super.init() }
    override public func forward(_ input: Tensor) -> Tensor { input.tanh() }
}

public final class Softmax: Module {
    public let dim: Int
    public init(dim: Int) {
        self.dim = dim
        super.init()
    }
    override public func forward(_ input: Tensor) -> Tensor { input.softmax(dim: dim) }
}
