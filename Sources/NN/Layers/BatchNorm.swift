// nn.BatchNorm1d / nn.BatchNorm2d. The second unlabeled argument is eps, exactly as in
// PyTorch's positional signature: PyTorch-GAN's `BatchNorm2d(128, 0.8)` means eps = 0.8
// (not momentum; see reference-facts, issue #116), and `BatchNorm2d(128, 0.8)` here
// means the same, so ported models reproduce the reference's numbers.
import Autograd

public class BatchNorm: Module {
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?
    @Buffer public var runningMean: Tensor?
    @Buffer public var runningVar: Tensor?
    @Buffer(fileType: .i64) public var numBatchesTracked: Tensor? = nil
    public let numFeatures: Int
    public let eps: Float
    /// nil: cumulative moving average (momentum = 1 / batches seen), as PyTorch.
    public let momentum: Float?
    private let inputRanks: Set<Int>
    /// How many batches one training forward counts as in the running statistics. A model
    /// that runs one pass where the reference runs two identical ones (same weights, same
    /// input: wgan's generator on its critic's noise) sets 2 for that pass, so the running
    /// statistics, and every sample drawn in evaluation mode, stay the reference's.
    public var updatesPerForward = 1
    /// The ranks of a data-parallel run whose batches this layer normalises together in
    /// training (`gan train --sync-bn`); nil: this process's batch alone.
    public var synchronisation: Collective?

    init(_ numFeatures: Int, eps: Float, momentum: Float?, affine: Bool, trackRunningStats: Bool, inputRanks: Set<Int>) {
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.inputRanks = inputRanks
        weight = affine ? Tensor.ones([numFeatures]) : nil
        bias = affine ? Tensor.zeros([numFeatures]) : nil
        runningMean = trackRunningStats ? Tensor.zeros([numFeatures]) : nil
        runningVar = trackRunningStats ? Tensor.ones([numFeatures]) : nil
        numBatchesTracked = trackRunningStats ? Tensor(0) : nil
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor {
        precondition(inputRanks.contains(input.rank),
                     "\(type(of: self)): expected an input of rank \(inputRanks.sorted()), got shape \(input.shape)")
        var momenta: [Float] = [momentum ?? 0]
        if isTraining, let n = numBatchesTracked {
            momenta = (0..<Swift.max(updatesPerForward, 1)).map { _ in
                n.setItem(n.item() + 1)
                return momentum ?? 1 / n.item()
            }
        }
        // Batch statistics when training or when no running statistics are kept.
        let useBatchStats = isTraining || runningMean == nil
        // Only in training: every rank trains, but pictures are drawn by rank 0 alone.
        if isTraining, let group = synchronisation {
            return synchronisedBatchNorm(input, runningMean: runningMean, runningVar: runningVar,
                                         weight: weight, bias: bias, momenta: momenta, eps: eps, group: group)
        }
        return batchNorm(input, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                         training: useBatchStats, momenta: momenta, eps: eps)
    }
}

/// Batch norm over [N, C] or [N, C, L] inputs.
public final class BatchNorm1d: BatchNorm {
    /// `BatchNorm1d(256, 0.8)` is eps = 0.8, as in PyTorch.
    public init(_ numFeatures: Int, _ eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true) {
        super.init(numFeatures, eps: eps, momentum: momentum, affine: affine, trackRunningStats: trackRunningStats, inputRanks: [2, 3])
    }
}

/// Batch norm over [N, C, H, W] inputs.
public final class BatchNorm2d: BatchNorm {
    /// `BatchNorm2d(128, 0.8)` is eps = 0.8, as in PyTorch.
    public init(_ numFeatures: Int, _ eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true) {
        super.init(numFeatures, eps: eps, momentum: momentum, affine: affine, trackRunningStats: trackRunningStats, inputRanks: [4])
    }
}
