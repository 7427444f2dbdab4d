// nn.InstanceNorm2d (no affine, no running stats by default, as PyTorch) and nn.LayerNorm.
import Autograd

public final class InstanceNorm2d: Module {
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?
    @Buffer public var runningMean: Tensor?
    @Buffer public var runningVar: Tensor?
    @Buffer(fileType: .i64) public var numBatchesTracked: Tensor? = nil
    public let eps: Float
    public let momentum: Float

    /// Positional order as PyTorch: (num_features, eps, ...).
    public init(_ numFeatures: Int, _ eps: Float = 1e-5, momentum: Float = 0.1, affine: Bool = false,
                trackRunningStats: Bool = false) {
        self.eps = eps
        self.momentum = momentum
        weight = affine ? Tensor.ones([numFeatures]) : nil
        bias = affine ? Tensor.zeros([numFeatures]) : nil
        runningMean = trackRunningStats ? Tensor.zeros([numFeatures]) : nil
        runningVar = trackRunningStats ? Tensor.ones([numFeatures]) : nil
        numBatchesTracked = trackRunningStats ? Tensor(0) : nil
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "InstanceNorm2d: expected [N, C, H, W], got shape \(input.shape)")
        // As PyTorch: input statistics unless evaluating with tracked running statistics;
        // num_batches_tracked exists for state-dict compatibility but is never advanced.
        return instanceNorm(input, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                     useInputStats: isTraining || runningMean == nil, momentum: momentum, eps: eps)
    }
}

public final class LayerNorm: Module {
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?
    public let normalizedShape: [Int]
    public let eps: Float

    public init(_ normalizedShape: [Int], eps: Float = 1e-5, elementwiseAffine: Bool = true) {
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? Tensor.ones(normalizedShape) : nil
        bias = elementwiseAffine ? Tensor.zeros(normalizedShape) : nil
        super.init()
    }

    public convenience init(_ features: Int, eps: Float = 1e-5, elementwiseAffine: Bool = true) {
        self.init([features], eps: eps, elementwiseAffine: elementwiseAffine)
    }

    override public func forward(_ input: Tensor) -> Tensor {
        layerNorm(input, normalizedShape: normalizedShape, weight: weight, bias: bias, eps: eps)
    }
}
