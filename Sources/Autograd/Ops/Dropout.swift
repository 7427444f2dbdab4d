// Dropout with masks drawn from an explicit seeded generator.

/// Zeroes each element with probability p and scales the rest by 1/(1-p) when training.
public func dropout(_ x: Tensor, p: Float, training: Bool, generator: RandomGenerator) -> Tensor {
    guard p >= 0, p <= 1 else { shapeFailure("dropout: probability must be in [0, 1], got \(p)") }
    guard training, p > 0 else { return x }
    return x * dropoutMask(shape: x.shape, p: p, generator: generator)
}

/// Zeroes whole channels (dimension 1) with probability p, as torch.nn.Dropout2d.
public func dropout2d(_ x: Tensor, p: Float, training: Bool, generator: RandomGenerator) -> Tensor {
    guard p >= 0, p <= 1 else { shapeFailure("dropout2d: probability must be in [0, 1], got \(p)") }
    guard x.rank >= 2 else { shapeFailure("dropout2d: expected (N, C, ...) input, got \(Shape.describe(x.shape))") }
    guard training, p > 0 else { return x }
    let maskShape = [x.shape[0], x.shape[1]] + [Int](repeating: 1, count: x.rank - 2)
    return x * dropoutMask(shape: maskShape, p: p, generator: generator)
}

/// 1/(1-p) where kept (uniform draw >= p), 0 where dropped; all zeros when p == 1.
public func dropoutMask(shape: [Int], p: Float, generator: RandomGenerator) -> Tensor {
    let scale: Float = p < 1 ? 1 / (1 - p) : 0
    return Tensor.drawn(shape) { generator.fillDropoutMask($0, count: $1, p: p, scale: scale) }
}
