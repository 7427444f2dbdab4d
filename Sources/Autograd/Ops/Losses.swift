// Loss functions with PyTorch's definitions, clamps and reductions.

public enum Reduction: String, Sendable { case none, mean, sum }

extension Tensor {
    func reduced(_ r: Reduction) -> Tensor {
        switch r {
        case .none: return self
        case .mean: return mean()
        case .sum: return sum()
        }
    }
}

private func requireSameShape(_ a: Tensor, _ b: Tensor, _ op: String) {
    guard a.shape == b.shape else {
        shapeFailure("\(op): input \(Shape.describe(a.shape)) and target \(Shape.describe(b.shape)) must have the same shape")
    }
}

/// Binary cross-entropy on probabilities, with each log clamped at -100 as PyTorch, and
/// PyTorch's backward (p - t) / max(p (1 - p), 1e-12).
public func binaryCrossEntropy(_ p: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    requireSameShape(p, target, "binary_cross_entropy")
    let values = withoutGrad {
        -(target * p.log().clamp(min: -100) + (1 - target) * (1 - p).log().clamp(min: -100))
    }
    let loss = values.recorded("binary_cross_entropy", [p, target]) { g in
        [p.requiresGrad ? g * (p - target) / (p * (1 - p)).clamp(min: 1e-12) : nil,
         target.requiresGrad ? g * ((1 - p).log().clamp(min: -100) - p.log().clamp(min: -100)) : nil]
    }
    return loss.reduced(reduction)
}

/// Binary cross-entropy on logits, computed stably: max(x, 0) - x t + log(1 + exp(-|x|)).
public func binaryCrossEntropyWithLogits(_ x: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    requireSameShape(x, target, "binary_cross_entropy_with_logits")
    let values = withoutGrad { x.relu() - x * target + (-x.abs()).exp().log1p() }
    let loss = values.recorded("binary_cross_entropy_with_logits", [x, target]) { g in
        [x.requiresGrad ? g * (x.sigmoid() - target) : nil, target.requiresGrad ? -(g * x) : nil]
    }
    return loss.reduced(reduction)
}

public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    requireSameShape(input, target, "mse_loss")
    let d = input - target
    return (d * d).reduced(reduction)
}

public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    requireSameShape(input, target, "l1_loss")
    return (input - target).abs().reduced(reduction)
}

/// 0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere (torch.nn.SmoothL1Loss).
public func smoothL1Loss(_ input: Tensor, _ target: Tensor, beta: Float = 1, reduction: Reduction = .mean) -> Tensor {
    requireSameShape(input, target, "smooth_l1_loss")
    let d = input - target
    if beta == 0 { return d.abs().reduced(reduction) }
    let a = d.abs()
    return Tensor.where(a.detach().lt(beta), d * d * (0.5 / beta), a - 0.5 * beta).reduced(reduction)
}

/// Negative log-likelihood of class indices under log-probabilities [N, C].
public func nllLoss(_ logProbs: Tensor, targets: [Int], reduction: Reduction = .mean) -> Tensor {
    guard logProbs.rank == 2, logProbs.shape[0] == targets.count else {
        shapeFailure("nll_loss: log-probabilities \(Shape.describe(logProbs.shape)) for \(targets.count) targets (expects [N, C])")
    }
    let c = logProbs.shape[1]
    for t in targets where t < 0 || t >= c { shapeFailure("nll_loss: target \(t) is out of range for \(c) classes") }
    let index = Tensor(shape: [targets.count, 1], scalars: targets.map { Float($0) })
    return (-logProbs.gather(dim: 1, index: index).reshape([targets.count])).reduced(reduction)
}

/// Cross-entropy of logits [N, C] against class indices (log_softmax + NLL, as PyTorch).
public func crossEntropy(_ logits: Tensor, targets: [Int], reduction: Reduction = .mean) -> Tensor {
    nllLoss(logits.logSoftmax(dim: 1), targets: targets, reduction: reduction)
}

/// Class indices stored as a float tensor (the data loader's label batches).
public func crossEntropy(_ logits: Tensor, targets: Tensor, reduction: Reduction = .mean) -> Tensor {
    crossEntropy(logits, targets: targets.scalars.map { Int($0) }, reduction: reduction)
}
