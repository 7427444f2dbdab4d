// The normalisation layers of munit's decoder (the reference's `AdaptiveInstanceNorm2d` and
// `LayerNorm`, after the official MUNIT code) and the global average pooling of its style
// encoder.
import Autograd
import NN

/// AdaIN (Huang & Belongie, 2017): instance normalisation (biased variance, eps 1e-5) whose
/// per-sample scale and shift are set from outside before each forward (munit's decoder sets
/// them from its MLP). `running_mean` and `running_var` are the reference's dummy buffers:
/// never used, kept so state dicts load by name.
public final class AdaptiveInstanceNorm2d: Module {
    @Buffer public var runningMean: Tensor?
    @Buffer public var runningVar: Tensor?
    public let numFeatures: Int
    public let eps: Float
    /// [N, C] each: the scale ("std") and shift ("mean") of the next forward.
    public var style: (weight: Tensor, bias: Tensor)?

    public init(_ numFeatures: Int, eps: Float = 1e-5) {
        self.numFeatures = numFeatures
        self.eps = eps
        runningMean = Tensor.zeros([numFeatures])
        runningVar = Tensor.ones([numFeatures])
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor {
        guard let style else { preconditionFailure("AdaptiveInstanceNorm2d: set its style before calling it") }
        let n = input.shape[0], c = input.shape[1]
        precondition(style.weight.shape == [n, c], "AdaptiveInstanceNorm2d: style of shape \(style.weight.shape) for input \(input.shape)")
        return instanceNorm(input, eps: eps) * style.weight.reshape([n, c, 1, 1]) + style.bias.reshape([n, c, 1, 1])
    }
}

/// munit's `LayerNorm`: per sample, (x - mean) / (std + eps) over all of C, H, W with the
/// unbiased std (not nn.LayerNorm's biased variance inside the root), then a per-channel
/// `gamma` (initialised U[0, 1)) and `beta` (0).
public final class ImageLayerNorm: Module {
    @Parameter public var gamma: Tensor
    @Parameter public var beta: Tensor
    public let eps: Float

    public init(_ numFeatures: Int, eps: Float = 1e-5, generator rng: RandomGenerator? = nil) {
        self.eps = eps
        gamma = Tensor.zeros([numFeatures])
        beta = Tensor.zeros([numFeatures])
        super.init()
        Init.uniform(gamma, low: 0, high: 1, generator: rng)
    }

    override public func forward(_ input: Tensor) -> Tensor {
        let n = input.shape[0], c = input.shape[1]
        let flat = input.reshape([n, -1])
        let mean = flat.mean(dim: 1, keepDim: true)
        let std = flat.variance(dims: [1], unbiased: true, keepDim: true).sqrt()
        let normalized = ((flat - mean) / (std + eps)).reshape(input.shape)
        return normalized * gamma.reshape([1, c, 1, 1]) + beta.reshape([1, c, 1, 1])
    }
}

/// `nn.AdaptiveAvgPool2d(1)`: the mean of each channel, [N, C, 1, 1].
public final class GlobalAveragePool2d: Module {
    override public func forward(_ input: Tensor) -> Tensor { input.mean(dims: [2, 3], keepDim: true) }
}
