// Batch, instance and layer normalisation. Batch norm runs on fused kernels; its gradient
// is rebuilt from differentiable ops when a gradient penalty needs to differentiate it.
import CKernels

/// Shape [1, C, 1, ...] for broadcasting per-channel vectors over x.
private func channelShape(_ x: Tensor) -> [Int] {
    [1, x.shape[1]] + [Int](repeating: 1, count: x.rank - 2)
}

/// Batch normalisation as torch.nn.functional.batch_norm. In training it normalises with
/// the batch statistics (biased variance) and updates the running statistics in place:
/// running = (1 - momentum) * running + momentum * batch (unbiased variance), PyTorch's
/// convention. In evaluation it uses the running statistics.
public func batchNorm(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                      training: Bool, momentum: Float = 0.1, eps: Float = 1e-5) -> Tensor {
    batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
              training: training, momenta: [momentum], eps: eps)
}

/// Batch normalisation whose running statistics are updated once per entry of `momenta`,
/// in order, with the same batch statistics: the running statistics two identical
/// training passes would leave, from one pass (see BatchNorm.updatesPerForward).
public func batchNorm(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                      training: Bool, momenta: [Float], eps: Float = 1e-5) -> Tensor {
    guard x.rank >= 2 else { shapeFailure("batch_norm: expected at least 2-D input (N, C, ...), got \(Shape.describe(x.shape))") }
    let c = x.shape[1]
    for (name, t) in [("running_mean", runningMean), ("running_var", runningVar), ("weight", weight), ("bias", bias)] {
        if let t, t.count != c {
            shapeFailure("batch_norm: \(name) of shape \(Shape.describe(t.shape)) for input \(Shape.describe(x.shape)) with \(c) channels")
        }
    }
    let cs = channelShape(x)
    if training || runningMean == nil || runningVar == nil {
        let n = x.count / Swift.max(c, 1)
        guard n > 1 || !training else {
            shapeFailure("batch_norm: expected more than 1 value per channel when training, got input \(Shape.describe(x.shape))")
        }
        let (y, mean, variance) = batchNormTraining(x, weight: weight, bias: bias, eps: eps)
        if training, let rm = runningMean, let rv = runningVar {
            withoutGrad {
                for momentum in momenta {
                    rm.assign(rm * (1 - momentum) + mean * momentum)
                    rv.assign(rv * (1 - momentum) + variance * (momentum * Float(n) / Float(Swift.max(n - 1, 1))))
                }
            }
        }
        return y
    }
    var y = (x - runningMean!.reshape(cs)) * (runningVar!.reshape(cs) + eps).pow(-0.5)
    if let weight { y = y * weight.reshape(cs) }
    if let bias { y = y + bias.reshape(cs) }
    return y
}

/// Batch statistics normalisation through the fused kernels. The backward is the fused
/// kernel too, unless the gradient itself must be differentiable (createGraph, e.g. a
/// gradient penalty through a critic with batch norm): then it is rebuilt from
/// differentiable ops, so gradients of any order stay exact.
func batchNormTraining(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> (y: Tensor, mean: Tensor, variance: Tensor) {
    let n = x.shape[0], c = x.shape[1], hw = x.count / Swift.max(n * c, 1)
    let y = Tensor.uninitialized(x.shape)
    let mean = Tensor.uninitialized([c]), variance = Tensor.uninitialized([c]), invstd = Tensor.uninitialized([c])
    ck_batchnorm_forward(x.storage.pointer, n, c, hw, weight?.storage.pointer, bias?.storage.pointer, eps,
                         y.storage.pointer, mean.storage.pointer, variance.storage.pointer, invstd.storage.pointer)
    var inputs = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    y.recorded("batch_norm", inputs) { g in
        if GradMode.isEnabled {
            let (xs, ws, bs) = (x, weight, bias)
            let rebuilt = withGradRecording { batchNormComposite(xs, weight: ws, bias: bs, eps: eps) }
            let grads = try! Autograd.grad(of: [rebuilt], withRespectTo: inputs, seeds: [g], createGraph: true)
            return grads.map { $0 }
        }
        let gx = Tensor.uninitialized(x.shape)
        let gw = weight.map { _ in Tensor.uninitialized([c]) }, gb = bias.map { _ in Tensor.uninitialized([c]) }
        ck_batchnorm_backward(g.storage.pointer, x.storage.pointer, n, c, hw, mean.storage.pointer, invstd.storage.pointer,
                              weight?.storage.pointer, gx.storage.pointer, gw?.storage.pointer, gb?.storage.pointer)
        var out: [Tensor?] = [x.requiresGrad ? gx : nil]
        if let w = weight { out.append(w.requiresGrad ? gw!.reshape(w.shape) : nil) }
        if let b = bias { out.append(b.requiresGrad ? gb!.reshape(b.shape) : nil) }
        return out
    }
    return (y, mean, variance)
}

/// Runs `body` with recording on (the backward of an op runs with it off unless createGraph).
func withGradRecording<T>(_ body: () -> T) -> T { GradMode.with(enabled: true, body) }

/// Batch normalisation with batch statistics from differentiable ops (biased variance).
func batchNormComposite(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
    let cs = channelShape(x)
    let dims = [0] + Array(2..<x.rank)
    let mean = x.mean(dims: dims, keepDim: true)
    let centered = x - mean
    let variance = (centered * centered).mean(dims: dims, keepDim: true)
    var y = centered * (variance + eps).pow(-0.5)
    if let weight { y = y * weight.reshape(cs) }
    if let bias { y = y + bias.reshape(cs) }
    return y
}

/// Instance normalisation as torch.nn.functional.instance_norm: per sample and channel over
/// the spatial dimensions. Running statistics are used only when given and
/// `useInputStats` is false; when given and using input statistics they are updated.
public func instanceNorm(_ x: Tensor, runningMean: Tensor? = nil, runningVar: Tensor? = nil, weight: Tensor? = nil,
                         bias: Tensor? = nil, useInputStats: Bool = true, momentum: Float = 0.1, eps: Float = 1e-5) -> Tensor {
    guard x.rank >= 3 else { shapeFailure("instance_norm: expected (N, C, spatial...) input, got \(Shape.describe(x.shape))") }
    let cs = channelShape(x)
    var y: Tensor
    if useInputStats || runningMean == nil || runningVar == nil {
        // Statistics per sample and channel: batch norm's fused kernels on x viewed as one
        // sample of N*C channels (the composite ops took a fifth of a cyclegan step).
        let samples = x.shape[0], channels = x.shape[1]
        let n = Shape.count(Array(x.shape[2...]))
        let (normalized, mean, variance) = batchNormTraining(x.reshape([1, samples * channels, n]), weight: nil,
                                                             bias: nil, eps: eps)
        y = normalized.reshape(x.shape)
        if let rm = runningMean, let rv = runningVar {
            withoutGrad {
                let bm = mean.reshape([samples, channels]).mean(dim: 0).reshape(rm.shape)
                let bv = variance.reshape([samples, channels]).mean(dim: 0).reshape(rv.shape) * (Float(n) / Float(Swift.max(n - 1, 1)))
                rm.assign(rm * (1 - momentum) + bm * momentum)
                rv.assign(rv * (1 - momentum) + bv * momentum)
            }
        }
    } else {
        y = (x - runningMean!.reshape(cs)) * (runningVar!.reshape(cs) + eps).pow(-0.5)
    }
    if let weight { y = y * weight.reshape(cs) }
    if let bias { y = y + bias.reshape(cs) }
    return y
}

/// Layer normalisation over the trailing `normalizedShape` dimensions (biased variance).
public func layerNorm(_ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                      eps: Float = 1e-5) -> Tensor {
    let k = normalizedShape.count
    guard k >= 1, k <= x.rank, Array(x.shape.suffix(k)) == normalizedShape else {
        shapeFailure("layer_norm: normalized shape \(Shape.describe(normalizedShape)) does not end the input shape \(Shape.describe(x.shape))")
    }
    let dims = Array((x.rank - k)..<x.rank)
    let mean = x.mean(dims: dims, keepDim: true)
    let centered = x - mean
    let variance = (centered * centered).mean(dims: dims, keepDim: true)
    var y = centered * (variance + eps).pow(-0.5)
    if let weight { y = y * weight }
    if let bias { y = y + bias }
    return y
}
