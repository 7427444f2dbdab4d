// nn.Dropout and nn.Dropout2d: active only in training mode; masks come from a seeded
// generator (the shared default unless one is given).
import Autograd

public final class Dropout: Module {
    public let p: Float
    private let generator: RandomGenerator?

    public init(_ p: Float = 0.5, generator: RandomGenerator? = nil) {
        precondition(p >= 0 && p <= 1, "Dropout: probability must be in [0, 1], got \(p)")
        self.p = p
        self.generator = generator
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor {
        dropout(input, p: p, training: isTraining, generator: generator ?? DefaultGenerator.shared)
    }
}

/// Zeroes whole channels.
public final class Dropout2d: Module {
    public let p: Float
    private let generator: RandomGenerator?

    public init(_ p: Float = 0.5, generator: RandomGenerator? = nil) {
        precondition(p >= 0 && p <= 1, "Dropout2d: probability must be in [0, 1], got \(p)")
        self.p = p
        self.generator = generator
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor {
        dropout2d(input, p: p, training: isTraining, generator: generator ?? DefaultGenerator.shared)
    }
}
