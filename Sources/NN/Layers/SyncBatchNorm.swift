// Batch norm whose statistics are those of the global batch of a data-parallel run
// (torch.nn.SyncBatchNorm): per-channel sums are added across ranks with a differentiable
// all-reduce, so the backward adds the statistics' gradients across ranks too, and
// gradient penalties through it stay exact.
import Autograd

/// Training-mode batch norm over the rows of every rank of `group`: the two-pass mean and
/// biased variance of the union, running statistics updated once per entry of `momenta`
/// with the unbiased variance, as `batchNorm` does for one process.
func synchronisedBatchNorm(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                           momenta: [Float], eps: Float, group: Collective) -> Tensor {
    let c = x.shape[1]
    let shape = [1, c] + [Int](repeating: 1, count: x.rank - 2)
    let dims = [0] + Array(2..<x.rank)
    let n = Tensor(Float(x.count / Swift.max(c, 1))).allReduceSum(over: group).item()
    precondition(n > 1, "batch_norm: expected more than 1 value per channel over all ranks when training, got input \(x.shape)")
    let mean = x.sum(dims: dims).allReduceSum(over: group) / n
    let centred = x - mean.reshape(shape)
    let variance = centred.square().sum(dims: dims).allReduceSum(over: group) / n
    var y = centred * (variance.reshape(shape) + eps).pow(-0.5)
    if let weight { y = y * weight.reshape(shape) }
    if let bias { y = y + bias.reshape(shape) }
    if let rm = runningMean, let rv = runningVar {
        withoutGrad {
            for momentum in momenta {
                rm.assign(rm * (1 - momentum) + mean.detach() * momentum)
                rv.assign(rv * (1 - momentum) + variance.detach() * (momentum * n / (n - 1)))
            }
        }
    }
    return y
}
