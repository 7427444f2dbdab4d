// The dense blocks of esrgan's generator (Wang et al., 2018, after Zhang et al.'s residual
// dense network): convs that each see the concatenation of the block input and every
// earlier conv's output, and residuals scaled down before they are added.
import Autograd
import NN

/// `DenseResidualBlock` in the reference: five 3x3 convs `b1`...`b5` (each a Sequential),
/// conv k taking k x `filters` channels (the input and the k - 1 outputs before it) to
/// `filters`, LeakyReLU after the first four; output = b5's output x `residualScale` + input.
public final class DenseResidualBlock: Module {
    public let b1: Sequential, b2: Sequential, b3: Sequential, b4: Sequential, b5: Sequential
    public let residualScale: Float

    public init(_ filters: Int, residualScale: Float = 0.2, negativeSlope: Float, generator rng: RandomGenerator? = nil) {
        func block(_ k: Int) -> Sequential {
            let conv = Conv2d(k * filters, filters, kernelSize: 3, stride: 1, padding: 1, generator: rng)
            return k < 5 ? Sequential(conv, LeakyReLU(negativeSlope)) : Sequential(conv)
        }
        (b1, b2, b3, b4, b5) = (block(1), block(2), block(3), block(4), block(5))
        self.residualScale = residualScale
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor {
        var inputs = input
        var out = input
        for block in [b1, b2, b3, b4, b5] {
            out = block(inputs)
            if block !== b5 { inputs = Tensor.concat([inputs, out], dim: 1) }
        }
        return out * residualScale + input
    }
}

/// `ResidualInResidualDenseBlock` (RRDB): three dense blocks in the Sequential
/// `dense_blocks`; output = their output x `residualScale` + input.
public final class ResidualInResidualDenseBlock: Module {
    public let denseBlocks: Sequential
    public let residualScale: Float

    public init(_ filters: Int, residualScale: Float = 0.2, negativeSlope: Float, generator rng: RandomGenerator? = nil) {
        denseBlocks = Sequential((0..<3).map { _ in
            DenseResidualBlock(filters, residualScale: residualScale, negativeSlope: negativeSlope, generator: rng) as Module
        })
        self.residualScale = residualScale
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor { denseBlocks(input) * residualScale + input }
}
