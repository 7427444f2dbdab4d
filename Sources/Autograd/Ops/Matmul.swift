// Matrix products. The internal op carries transpose flags so neither the forward pass
// nor any backward pass (of any order) materialises a transposed copy.
import CKernels

extension Tensor {
    /// Batched op(a) @ op(b) for 3-D a [B, ., .] and b [B, ., .] with transpose flags.
    static func bmm(_ a: Tensor, _ b: Tensor, transA: Bool, transB: Bool) -> Tensor {
        guard a.rank == 3, b.rank == 3, a.shape[0] == b.shape[0] else {
            shapeFailure("matmul: batch shapes \(Shape.describe(a.shape)) and \(Shape.describe(b.shape)) do not match")
        }
        let batch = a.shape[0]
        let m = transA ? a.shape[2] : a.shape[1], k = transA ? a.shape[1] : a.shape[2]
        let kb = transB ? b.shape[2] : b.shape[1], n = transB ? b.shape[1] : b.shape[2]
        guard k == kb else {
            shapeFailure("matmul: inner dimensions differ: \(Shape.describe(a.shape))\(transA ? "^T" : "") @ \(Shape.describe(b.shape))\(transB ? "^T" : "") (\(k) vs \(kb))")
        }
        let out = Tensor.uninitialized([batch, m, n])
        let lda = a.shape[2], ldb = b.shape[2]
        for i in 0..<batch {
            Kernels.sgemm(transA: transA, transB: transB, m: m, n: n, k: k,
                          a: a.storage.pointer + i * a.shape[1] * a.shape[2], lda: lda,
                          b: b.storage.pointer + i * b.shape[1] * b.shape[2], ldb: ldb,
                          c: out.storage.pointer + i * m * n, ldc: n)
        }
        return out.recorded("matmul", [a, b]) { g, needs in
            // out = A B with A = op(a), B = op(b): dA = g B^T, dB = A^T g.
            let ga: Tensor? = !(a.requiresGrad && needs[0]) ? nil :
                (transA ? bmm(b, g, transA: transB, transB: true) : bmm(g, b, transA: false, transB: !transB))
            let gb: Tensor? = !(b.requiresGrad && needs[1]) ? nil :
                (transB ? bmm(g, a, transA: true, transB: transA) : bmm(a, g, transA: !transA, transB: false))
            return [ga, gb]
        }
    }

    /// Matrix product with PyTorch's rules for 2-D and batched (rank >= 3, broadcast
    /// batch dimensions) operands.
    public static func matmul(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false) -> Tensor {
        guard a.rank >= 2, b.rank >= 2 else {
            shapeFailure("matmul: operands must have rank >= 2, got \(Shape.describe(a.shape)) and \(Shape.describe(b.shape))")
        }
        if a.rank == 2 && b.rank == 2 {
            let out = bmm(a.unsqueeze(0), b.unsqueeze(0), transA: transA, transB: transB)
            return out.reshape([out.shape[1], out.shape[2]])
        }
        // A batch of rows times one matrix: fold the batch into the rows (no copies).
        if b.rank == 2 && !transA {
            let rows = a.reshape([1, a.count / a.shape[a.rank - 1], a.shape[a.rank - 1]])
            let out = bmm(rows, b.unsqueeze(0), transA: false, transB: transB)
            return out.reshape(Array(a.shape.dropLast()) + [out.shape[2]])
        }
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        let batch = check { () throws(ShapeError) in try Shape.broadcast(batchA, batchB, op: "matmul") }
        let ae = a.expand(to: batch + Array(a.shape.suffix(2))), be = b.expand(to: batch + Array(b.shape.suffix(2)))
        let nb = Shape.count(batch)
        let out = bmm(ae.reshape([nb, a.shape[a.rank - 2], a.shape[a.rank - 1]]),
                      be.reshape([nb, b.shape[b.rank - 2], b.shape[b.rank - 1]]), transA: transA, transB: transB)
        return out.reshape(batch + [out.shape[1], out.shape[2]])
    }

    public func matmul(_ other: Tensor) -> Tensor { Tensor.matmul(self, other) }
}

/// x @ weight^T + bias, with weight [out, in] as torch.nn.Linear.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    guard weight.rank == 2, x.rank >= 1, x.shape[x.rank - 1] == weight.shape[1] else {
        shapeFailure("linear: input \(Shape.describe(x.shape)) does not match weight \(Shape.describe(weight.shape))")
    }
    let x2 = x.rank == 1 ? x.unsqueeze(0) : x
    var y: Tensor
    if let bias, x2.rank == 2, bias.shape == [weight.shape[0]] {
        y = Tensor.affine(x2, weight, bias)
    } else {
        y = Tensor.matmul(x2, weight, transB: true)
        if let bias { y = y + bias }
    }
    return x.rank == 1 ? y.squeeze(0) : y
}

extension Tensor {
    /// x [n, in] @ weight[out, in]^T + bias[out] as one op: the product adds the bias to
    /// each finished block while it is in cache (ck_sgemm_bias). The numbers, forward and
    /// backward (of any order), are those of matmul(x, weight, transB: true) + bias: the
    /// same products and the same reduction, without the add's pass over the output.
    static func affine(_ x: Tensor, _ weight: Tensor, _ bias: Tensor) -> Tensor {
        let n = x.shape[0], k = x.shape[1], m = weight.shape[0]
        let out = Tensor.uninitialized([n, m])
        ck_sgemm_bias(0, 1, n, m, k, 1, x.storage.pointer, k, weight.storage.pointer, k, 0,
                      out.storage.pointer, m, bias.storage.pointer)
        WorkCount.add(2 * Double(n) * Double(m) * Double(k))
        let biasShape = bias.shape
        return out.recorded("linear", [x, weight, bias]) { g, needs in
            let gx: Tensor? = !(x.requiresGrad && needs[0]) ? nil : Tensor.matmul(g, weight)
            let gw: Tensor? = !(weight.requiresGrad && needs[1]) ? nil : Tensor.matmul(g, x, transA: true)
            let gb: Tensor? = !(bias.requiresGrad && needs[2]) ? nil : g.sum(to: biasShape)
            return [gx, gw, gb]
        }
    }
}
