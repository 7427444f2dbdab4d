// Reductions: sum, mean, var, max/argmax, and sum-to-shape (the adjoint of broadcasting).
import CKernels

extension Tensor {
    /// Normalised, sorted, de-duplicated dimensions (all when nil).
    func reductionDims(_ dims: [Int]?, op: String) -> [Int] {
        guard let dims else { return Array(0..<rank) }
        return check { () throws(ShapeError) in
            var out = Set<Int>()
            for d in dims { out.insert(try Shape.normalize(dim: d, rank: rank, op: op)) }
            return out.sorted()
        }
    }

    /// Sum over `dims` (sorted), keeping them as size 1, without recording.
    func sumKeepingDims(_ dims: [Int]) -> Tensor {
        var cur = self
        var shape = self.shape
        for d in dims.reversed() where shape[d] != 1 {
            let outer = Shape.count(Array(shape[..<d])), inner = Shape.count(Array(shape[(d + 1)...]))
            let r = shape[d]
            shape[d] = 1
            cur = Kernels.reduceSum(cur, outer: outer, r: r, inner: inner, shape: shape)
        }
        if cur === self { return Tensor(shape: shape, storage: storage) }
        return cur
    }

    /// Sum over `dims` (all when nil).
    public func sum(dims: [Int]? = nil, keepDim: Bool = false) -> Tensor {
        let ds = reductionDims(dims, op: "sum")
        let kept = sumKeepingDims(ds)
        let inShape = shape
        let keepShape = kept.shape
        let outShape = keepDim ? keepShape : shape.enumerated().filter { !ds.contains($0.offset) }.map(\.element)
        let out = Tensor(shape: outShape, storage: kept.storage)
        return out.recorded("sum", [self]) { g in [g.reshape(keepShape).expand(to: inShape)] }
    }

    public func sum(dim: Int, keepDim: Bool = false) -> Tensor { sum(dims: [dim], keepDim: keepDim) }

    /// Mean over `dims` (all when nil).
    public func mean(dims: [Int]? = nil, keepDim: Bool = false) -> Tensor {
        let ds = reductionDims(dims, op: "mean")
        let n = ds.reduce(1) { $0 * shape[$1] }
        return sum(dims: ds, keepDim: keepDim) * (1 / Float(Swift.max(n, 1)))
    }

    public func mean(dim: Int, keepDim: Bool = false) -> Tensor { mean(dims: [dim], keepDim: keepDim) }

    /// Variance over `dims`: unbiased divides by n-1 (torch.var's default), biased by n.
    public func variance(dims: [Int]? = nil, unbiased: Bool = true, keepDim: Bool = false) -> Tensor {
        let ds = reductionDims(dims, op: "var")
        let n = ds.reduce(1) { $0 * shape[$1] }
        let centered = self - mean(dims: ds, keepDim: true)
        return (centered * centered).sum(dims: ds, keepDim: keepDim) * (1 / Float(Swift.max(n - (unbiased ? 1 : 0), 0)))
    }

    /// Sums a broadcast result back to `target` (leading dims and dims of size 1).
    public func sum(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        guard lead >= 0 else { shapeFailure("sum(to:): cannot reduce \(Shape.describe(shape)) to \(Shape.describe(target))") }
        var dims = Array(0..<lead)
        for i in 0..<target.count where target[i] != shape[i + lead] {
            guard target[i] == 1 else { shapeFailure("sum(to:): cannot reduce \(Shape.describe(shape)) to \(Shape.describe(target))") }
            dims.append(i + lead)
        }
        return sum(dims: dims, keepDim: true).reshape(target)
    }

    /// Maximum along `dim` and the index of its first occurrence (indices as floats).
    public func max(dim: Int, keepDim: Bool = false) -> (values: Tensor, indices: Tensor) {
        let d = check { () throws(ShapeError) in try Shape.normalize(dim: dim, rank: rank, op: "max") }
        guard shape[d] > 0 else { shapeFailure("max: dimension \(d) of \(Shape.describe(shape)) is empty") }
        let outer = Shape.count(Array(shape[..<d])), inner = Shape.count(Array(shape[(d + 1)...])), r = shape[d]
        var keepShape = shape
        keepShape[d] = 1
        let values = Tensor.uninitialized(keepShape)
        var arg = [Int64](repeating: 0, count: outer * inner)
        arg.withUnsafeMutableBufferPointer { a in
            ck_reduce_max(storage.pointer, outer, r, inner, values.storage.pointer, a.baseAddress)
        }
        let outShape = keepDim ? keepShape : shape.enumerated().filter { $0.offset != d }.map(\.element)
        let indices = Tensor(shape: outShape, scalars: arg.map { Float($0) })
        // Flat positions of the maxima, for routing the gradient.
        var map = [Int64](repeating: 0, count: arg.count)
        for o in 0..<outer {
            for j in 0..<inner {
                map[o * inner + j] = Int64((o * r) * inner + j) + arg[o * inner + j] * Int64(inner)
            }
        }
        let inShape = shape
        let v = Tensor(shape: outShape, storage: values.storage)
            .recorded("max", [self]) { g in [g.scatteringMap(map, into: inShape)] }
        return (v, indices)
    }

    /// Minimum along `dim` and its index.
    public func min(dim: Int, keepDim: Bool = false) -> (values: Tensor, indices: Tensor) {
        let r = (-self).max(dim: dim, keepDim: keepDim)
        return (-r.values, r.indices)
    }

    /// The largest element (a scalar).
    public func max() -> Tensor { reshape([count]).max(dim: 0).values }
    public func min() -> Tensor { reshape([count]).min(dim: 0).values }

    /// Indices of the maxima along `dim` as integers.
    public func argmax(dim: Int) -> [Int] { max(dim: dim).indices.scalars.map { Int($0) } }
}
