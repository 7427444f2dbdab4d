// Vector norms along dimensions (the gradient penalty's ||grad||_2).

extension Tensor {
    /// The p-norm over `dims` (all when nil). p = 2 has a dedicated backward whose gradient
    /// at a zero vector is 0 (as PyTorch), not NaN.
    public func norm(p: Float = 2, dims: [Int]? = nil, keepDim: Bool = false) -> Tensor {
        let ds = reductionDims(dims, op: "norm")
        if p == 1 { return abs().sum(dims: ds, keepDim: keepDim) }
        if p == .infinity { return abs().amax(dims: ds, keepDim: keepDim) }
        if p != 2 { return abs().pow(p).sum(dims: ds, keepDim: keepDim).pow(1 / p) }
        let x = self
        let keep = withoutGrad { (x * x).sum(dims: ds, keepDim: true).sqrt() }
        let outShape = keepDim ? keep.shape : shape.enumerated().filter { !ds.contains($0.offset) }.map(\.element)
        let keepShape = keep.shape
        return Tensor(shape: outShape, storage: keep.storage).recordedSavingOutput("norm", [x]) { g, out in
            let n = out.reshape(keepShape)
            let zero = n.detach().eq(0)
            let safe = Tensor.where(zero, Tensor(1), n)
            return [x * (g.reshape(keepShape) / safe * (1 - zero))]
        }
    }

    /// Maximum over several dimensions (gradient to the first maximum of each slice).
    func amax(dims: [Int], keepDim: Bool) -> Tensor {
        var r = self
        for d in dims.sorted().reversed() { r = r.max(dim: d, keepDim: true).values }
        if keepDim { return r }
        return r.reshape(shape.enumerated().filter { !dims.contains($0.offset) }.map(\.element))
    }
}
