// Reshaping, permuting, expanding, slicing, joining and indexing.

extension Tensor {
    /// The same elements with another shape (one dimension may be -1). Shares storage.
    public func reshape(_ newShape: [Int]) -> Tensor {
        let s = check { () throws(ShapeError) in try Shape.infer(newShape, count: count, from: shape, op: "reshape") }
        if s == shape { return self }
        let inShape = shape
        return Tensor(shape: s, storage: storage).recorded("reshape", [self]) { g in [g.reshape(inShape)] }
    }

    public func view(_ newShape: [Int]) -> Tensor { reshape(newShape) }

    /// Merges dimensions startDim...endDim into one.
    public func flatten(startDim: Int = 1, endDim: Int = -1) -> Tensor {
        if rank == 0 { return reshape([1]) }
        let (s, e) = check { () throws(ShapeError) in
            (try Shape.normalize(dim: startDim, rank: rank, op: "flatten"), try Shape.normalize(dim: endDim, rank: rank, op: "flatten"))
        }
        guard s <= e else { shapeFailure("flatten: startDim \(startDim) is after endDim \(endDim) for \(Shape.describe(shape))") }
        return reshape(Array(shape[..<s]) + [Shape.count(Array(shape[s...e]))] + Array(shape[(e + 1)...]))
    }

    public func unsqueeze(_ dim: Int) -> Tensor {
        let d = check { () throws(ShapeError) in try Shape.normalize(dim: dim, rank: rank + 1, op: "unsqueeze") }
        var s = shape
        s.insert(1, at: d)
        return reshape(s)
    }

    /// Removes `dim` if it has size 1, or every size-1 dimension when nil.
    public func squeeze(_ dim: Int? = nil) -> Tensor {
        if let dim {
            let d = check { () throws(ShapeError) in try Shape.normalize(dim: dim, rank: rank, op: "squeeze") }
            if shape[d] != 1 { return self }
            var s = shape
            s.remove(at: d)
            return reshape(s)
        }
        return reshape(shape.filter { $0 != 1 })
    }

    /// Reorders dimensions: result dimension i is input dimension dims[i].
    public func permute(_ dims: [Int]) -> Tensor {
        let ds = check { () throws(ShapeError) in
            guard dims.count == rank else { throw ShapeError("permute: \(dims) has \(dims.count) dimensions, the tensor \(Shape.describe(shape)) has \(rank)") }
            let n = try dims.map { d throws(ShapeError) in try Shape.normalize(dim: d, rank: rank, op: "permute") }
            guard Set(n).count == rank else { throw ShapeError("permute: \(dims) repeats a dimension") }
            return n
        }
        if ds == Array(0..<rank) { return self }
        let st = Shape.strides(shape)
        let out = Kernels.stridedCopy(self, strides: ds.map { st[$0] }, shape: ds.map { shape[$0] })
        var inverse = [Int](repeating: 0, count: rank)
        for (i, d) in ds.enumerated() { inverse[d] = i }
        return out.recorded("permute", [self]) { g in [g.permute(inverse)] }
    }

    /// Swaps two dimensions.
    public func transposed(_ d0: Int = -2, _ d1: Int = -1) -> Tensor {
        var p = Array(0..<rank)
        let (a, b) = check { () throws(ShapeError) in
            (try Shape.normalize(dim: d0, rank: rank, op: "transpose"), try Shape.normalize(dim: d1, rank: rank, op: "transpose"))
        }
        p.swapAt(a, b)
        return permute(p)
    }

    /// Broadcast copy without recording (masks, operands of `where`).
    func expandedData(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let b = check { () throws(ShapeError) in try Shape.broadcast(shape, target, op: "expand") }
        guard b == target else { shapeFailure("expand: \(Shape.describe(shape)) cannot be expanded to \(Shape.describe(target))") }
        return Kernels.stridedCopy(self, strides: Shape.broadcastStrides(shape, to: target), shape: target)
    }

    /// Repeats size-1 (and missing leading) dimensions to reach `target`.
    public func expand(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let inShape = shape
        return expandedData(to: target).recorded("expand", [self]) { g in [g.sum(to: inShape)] }
    }

    /// Elements start..<end (every `step`-th) along `dim`.
    public func slice(dim: Int, start: Int, end: Int, step: Int = 1) -> Tensor {
        let d = check { () throws(ShapeError) in try Shape.normalize(dim: dim, rank: rank, op: "slice") }
        guard step > 0, start >= 0, start <= end, end <= shape[d] else {
            shapeFailure("slice: range \(start)..<\(end) step \(step) is invalid for dimension \(d) of \(Shape.describe(shape))")
        }
        var outShape = shape
        outShape[d] = (end - start + step - 1) / step
        var st = Shape.strides(shape)
        let offset = start * st[d]
        st[d] *= step
        let inShape = shape
        return Kernels.stridedCopy(self, offset: offset, strides: st, shape: outShape)
            .recorded("slice", [self]) { g in [g.sliceScatter(into: inShape, dim: d, start: start, step: step)] }
    }

    /// The adjoint of slice: zeros of `shape` with self written at the sliced positions.
    func sliceScatter(into shape: [Int], dim d: Int, start: Int, step: Int) -> Tensor {
        let out = Tensor.zeros(shape)
        var st = Shape.strides(shape)
        let offset = start * st[d]
        st[d] *= step
        Kernels.stridedStore(self, into: out, offset: offset, strides: st, shape: self.shape)
        let myShape = self.shape
        return out.recorded("slice_backward", [self]) { g in
            [g.slice(dim: d, start: start, end: start + (myShape[d] - 1) * step + 1, step: step)]
        }
    }

    /// Joins tensors along `dim`; all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        guard let first = tensors.first else { shapeFailure("concat: no tensors") }
        let d = check { () throws(ShapeError) in try Shape.normalize(dim: dim, rank: first.rank, op: "concat") }
        var outShape = first.shape
        outShape[d] = 0
        for t in tensors {
            var a = t.shape, b = first.shape
            guard a.count == b.count else { shapeFailure("concat: shapes \(tensors.map { Shape.describe($0.shape) }.joined(separator: ", ")) differ in rank") }
            a[d] = 0; b[d] = 0
            guard a == b else { shapeFailure("concat: shapes \(tensors.map { Shape.describe($0.shape) }.joined(separator: ", ")) differ outside dimension \(d)") }
            outShape[d] += t.shape[d]
        }
        let out = Tensor.uninitialized(outShape)
        let st = Shape.strides(outShape)
        var offset = 0
        var starts: [Int] = []
        for t in tensors {
            starts.append(offset)
            Kernels.stridedStore(t, into: out, offset: offset * st[d], strides: st, shape: t.shape)
            offset += t.shape[d]
        }
        let sizes = tensors.map { $0.shape[d] }
        return out.recorded("concat", tensors) { g in
            zip(starts, sizes).map { s, n in g.slice(dim: d, start: s, end: s + n) }
        }
    }

    /// Joins tensors of equal shape along a new dimension.
    public static func stack(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        guard let first = tensors.first else { shapeFailure("stack: no tensors") }
        for t in tensors where t.shape != first.shape {
            shapeFailure("stack: shapes \(tensors.map { Shape.describe($0.shape) }.joined(separator: ", ")) differ")
        }
        return concat(tensors.map { $0.unsqueeze(dim) }, dim: dim)
    }

    /// Pieces of the given sizes along `dim`.
    public func split(sizes: [Int], dim: Int = 0) -> [Tensor] {
        let d = check { () throws(ShapeError) in try Shape.normalize(dim: dim, rank: rank, op: "split") }
        guard sizes.reduce(0, +) == shape[d], sizes.allSatisfy({ $0 >= 0 }) else {
            shapeFailure("split: sizes \(sizes) do not add up to dimension \(d) of \(Shape.describe(shape))")
        }
        var s = 0
        return sizes.map { n in defer { s += n }; return slice(dim: d, start: s, end: s + n) }
    }

    /// Pieces of size `size` (the last may be smaller) along `dim`, as torch.split(int).
    public func split(size: Int, dim: Int = 0) -> [Tensor] {
        let d = check { () throws(ShapeError) in try Shape.normalize(dim: dim, rank: rank, op: "split") }
        guard size > 0 else { shapeFailure("split: size must be positive, got \(size)") }
        var sizes: [Int] = []
        var left = shape[d]
        while left > 0 { sizes.append(Swift.min(size, left)); left -= size }
        return split(sizes: sizes, dim: d)
    }

    /// `chunks` pieces along `dim`, as torch.chunk.
    public func chunk(_ chunks: Int, dim: Int = 0) -> [Tensor] {
        let d = check { () throws(ShapeError) in try Shape.normalize(dim: dim, rank: rank, op: "chunk") }
        guard chunks > 0 else { shapeFailure("chunk: chunks must be positive, got \(chunks)") }
        return split(size: Swift.max(1, (shape[d] + chunks - 1) / chunks), dim: d)
    }

    // MARK: Index maps

    /// out[i] = self[map[i]] (0 where map[i] < 0). Linear; its adjoint is scatteringMap.
    func gatheringMap(_ map: [Int64], shape outShape: [Int]) -> Tensor {
        let inShape = shape
        return Kernels.gatherMap(self, map, shape: outShape)
            .recorded("gather_map", [self]) { g in [g.scatteringMap(map, into: inShape)] }
    }

    /// out[map[i]] += self[i]. Linear; its adjoint is gatheringMap.
    func scatteringMap(_ map: [Int64], into outShape: [Int]) -> Tensor {
        let inShape = shape
        return Kernels.scatterAddMap(self, map, shape: outShape)
            .recorded("scatter_map", [self]) { g in [g.gatheringMap(map, shape: inShape)] }
    }

    /// Weighted sparse linear map (bilinear resampling, average pooling) and its adjoint.
    func gatheringWeighted(_ map: WeightedMap, shape outShape: [Int]) -> Tensor {
        let inShape = shape
        return Kernels.gatherWeighted(self, map, shape: outShape)
            .recorded("gather_weighted", [self]) { g in [g.scatteringWeighted(map, into: inShape)] }
    }

    func scatteringWeighted(_ map: WeightedMap, into outShape: [Int]) -> Tensor {
        let inShape = shape
        return Kernels.scatterWeighted(self, map, shape: outShape)
            .recorded("scatter_weighted", [self]) { g in [g.gatheringWeighted(map, shape: inShape)] }
    }

    /// Entries `indices` along `dim` (torch.index_select).
    public func indexSelect(dim: Int, indices: [Int]) -> Tensor {
        let d = check { () throws(ShapeError) in try Shape.normalize(dim: dim, rank: rank, op: "index_select") }
        let outer = Shape.count(Array(shape[..<d])), inner = Shape.count(Array(shape[(d + 1)...])), r = shape[d]
        for i in indices where i < 0 || i >= r {
            shapeFailure("index_select: index \(i) is out of range for dimension \(d) of \(Shape.describe(shape))")
        }
        var map = [Int64](repeating: 0, count: outer * indices.count * inner)
        var p = 0
        for o in 0..<outer {
            for i in indices {
                let base = (o * r + i) * inner
                for j in 0..<inner { map[p] = Int64(base + j); p += 1 }
            }
        }
        var outShape = shape
        outShape[d] = indices.count
        return gatheringMap(map, shape: outShape)
    }

    /// torch.gather: out[...i...] = self[...index[...i...]...] along `dim`; `index` holds
    /// integer values and has the rank of self.
    public func gather(dim: Int, index: Tensor) -> Tensor {
        let d = check { () throws(ShapeError) in try Shape.normalize(dim: dim, rank: rank, op: "gather") }
        guard index.rank == rank else { shapeFailure("gather: index of shape \(Shape.describe(index.shape)) must have the rank of the input \(Shape.describe(shape))") }
        for k in 0..<rank where k != d && index.shape[k] > shape[k] {
            shapeFailure("gather: index shape \(Shape.describe(index.shape)) exceeds input \(Shape.describe(shape)) at dimension \(k)")
        }
        let st = Shape.strides(shape), ist = Shape.strides(index.shape)
        var map = [Int64](repeating: 0, count: index.count)
        let ip = index.storage.pointer
        for flat in 0..<index.count {
            var rem = flat, src = 0
            for k in 0..<rank {
                var c = rem / ist[k]
                rem %= ist[k]
                if k == d {
                    c = Int(ip[flat])
                    guard c >= 0 && c < shape[d] else { shapeFailure("gather: index \(ip[flat]) is out of range for dimension \(d) of \(Shape.describe(shape))") }
                }
                src += c * st[k]
            }
            map[flat] = Int64(src)
        }
        return gatheringMap(map, shape: index.shape)
    }
}
