// Embedding look-up: rows of a weight matrix selected by integer indices.

/// Rows `indices` of weight [num, dim] -> [indices.count, dim].
public func embedding(_ indices: [Int], weight: Tensor) -> Tensor {
    guard weight.rank == 2 else { shapeFailure("embedding: weight must be 2-D, got \(Shape.describe(weight.shape))") }
    return weight.indexSelect(dim: 0, indices: indices)
}

/// Rows selected by an index tensor of any shape -> indices.shape + [dim].
public func embedding(_ indices: Tensor, weight: Tensor) -> Tensor {
    let rows = embedding(indices.scalars.map { Int($0) }, weight: weight)
    return rows.reshape(indices.shape + [weight.shape[1]])
}
