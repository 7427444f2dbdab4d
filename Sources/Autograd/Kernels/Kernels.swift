// The narrow interface between tensors and the C kernels: contiguous buffers in,
// buffers out. Ops call these; nothing here knows about autograd.
import CKernels

enum Kernels {
    static let maxRank = 16

    static func unary(_ op: Int32, _ x: Tensor, _ p1: Float = 0, _ p2: Float = 0) -> Tensor {
        let out = Tensor.uninitialized(x.shape)
        ck_unary(op, x.storage.pointer, out.storage.pointer, x.count, p1, p2)
        return out
    }

    static func binary(_ op: Int32, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
        if a.shape == b.shape {
            let out = Tensor.uninitialized(a.shape)
            ck_binary_contiguous(op, a.storage.pointer, b.storage.pointer, out.storage.pointer, a.count)
            return out
        }
        let shape = check { () throws(ShapeError) in try Shape.broadcast(a.shape, b.shape, op: name) }
        guard shape.count <= maxRank else { shapeFailure("\(name): rank \(shape.count) exceeds \(maxRank)") }
        let out = Tensor.uninitialized(shape)
        if out.count == 0 { return out }
        let sa = Shape.broadcastStrides(a.shape, to: shape), sb = Shape.broadcastStrides(b.shape, to: shape)
        sa.withUnsafeBufferPointer { pa in
            sb.withUnsafeBufferPointer { pb in
                shape.withUnsafeBufferPointer { ps in
                    ck_binary_strided(op, a.storage.pointer, pa.baseAddress, b.storage.pointer, pb.baseAddress,
                                      out.storage.pointer, ps.baseAddress, Int32(shape.count))
                }
            }
        }
        return out
    }

    /// Copies the view of `src` with element `strides` (starting at `offset`) and `shape`.
    static func stridedCopy(_ src: Tensor, offset: Int = 0, strides: [Int], shape: [Int]) -> Tensor {
        guard shape.count <= maxRank else { shapeFailure("copy: rank \(shape.count) exceeds \(maxRank)") }
        let out = Tensor.uninitialized(shape)
        if out.count == 0 { return out }
        strides.withUnsafeBufferPointer { st in
            shape.withUnsafeBufferPointer { sh in
                ck_strided_copy(src.storage.pointer + offset, st.baseAddress, out.storage.pointer, sh.baseAddress, Int32(shape.count))
            }
        }
        return out
    }

    /// Writes contiguous `src` into `dst` at `offset` with element `strides` over `shape`.
    static func stridedStore(_ src: Tensor, into dst: Tensor, offset: Int, strides: [Int], shape: [Int]) {
        guard src.count > 0 else { return }
        strides.withUnsafeBufferPointer { st in
            shape.withUnsafeBufferPointer { sh in
                ck_strided_store(src.storage.pointer, dst.storage.pointer + offset, st.baseAddress, sh.baseAddress, Int32(shape.count))
            }
        }
    }

    /// a += b (same shapes), used for gradient accumulation outside the graph.
    static func addInPlace(_ a: Tensor, _ b: Tensor) {
        ck_binary_contiguous(Int32(CK_ADD), a.storage.pointer, b.storage.pointer, a.storage.pointer, a.count)
    }

    /// Sum over the middle axis of an [outer, r, inner] view.
    static func reduceSum(_ x: Tensor, outer: Int, r: Int, inner: Int, shape: [Int]) -> Tensor {
        let out = Tensor.uninitialized(shape)
        ck_reduce_sum(x.storage.pointer, outer, r, inner, out.storage.pointer)
        return out
    }

    static func gatherMap(_ x: Tensor, _ map: [Int64], shape: [Int]) -> Tensor {
        let out = Tensor.uninitialized(shape)
        map.withUnsafeBufferPointer { m in ck_gather_map(x.storage.pointer, m.baseAddress, out.storage.pointer, map.count) }
        return out
    }

    static func scatterAddMap(_ g: Tensor, _ map: [Int64], shape: [Int]) -> Tensor {
        let out = Tensor.zeros(shape)
        map.withUnsafeBufferPointer { m in ck_scatter_add_map(g.storage.pointer, m.baseAddress, out.storage.pointer, map.count) }
        return out
    }

    static func pad2d(_ x: Tensor, _ t: PadTables, value: Float) -> Tensor {
        let out = Tensor.uninitialized(Array(x.shape.dropLast(2)) + [t.oh, t.ow])
        t.rows.withUnsafeBufferPointer { ys in t.columns.withUnsafeBufferPointer { xs in
            ck_pad2d(x.storage.pointer, t.planes, t.h, t.w, ys.baseAddress, t.oh, xs.baseAddress, t.ow, t.left, value,
                     out.storage.pointer)
        } }
        return out
    }

    static func pad2dAdjoint(_ g: Tensor, _ t: PadTables) -> Tensor {
        let gx = Tensor.uninitialized(Array(g.shape.dropLast(2)) + [t.h, t.w])
        t.rows.withUnsafeBufferPointer { ys in t.columns.withUnsafeBufferPointer { xs in
            ck_pad2d_adjoint(g.storage.pointer, t.planes, t.h, t.w, ys.baseAddress, t.oh, xs.baseAddress, t.ow, t.left,
                             gx.storage.pointer)
        } }
        return gx
    }

    static func gatherWeighted(_ x: Tensor, _ map: WeightedMap, shape: [Int]) -> Tensor {
        let out = Tensor.uninitialized(shape)
        map.indices.withUnsafeBufferPointer { i in
            map.weights.withUnsafeBufferPointer { w in
                ck_gather_weighted(x.storage.pointer, i.baseAddress, w.baseAddress, map.taps, out.storage.pointer, out.count)
            }
        }
        return out
    }

    static func scatterWeighted(_ g: Tensor, _ map: WeightedMap, shape: [Int]) -> Tensor {
        let out = Tensor.zeros(shape)
        map.indices.withUnsafeBufferPointer { i in
            map.weights.withUnsafeBufferPointer { w in
                ck_scatter_weighted(g.storage.pointer, i.baseAddress, w.baseAddress, map.taps, out.storage.pointer, g.count)
            }
        }
        return out
    }
}

/// Where each padded row and column reads from (-1: the fill value), for planes h x w padded
/// to oh x ow with `left` columns before the input's.
struct PadTables {
    var rows: [Int32]
    var columns: [Int32]
    var planes, h, w, oh, ow, left: Int
}

/// A sparse linear map with `taps` (index, weight) pairs per output element; index -1
/// means "no input" (zero padding).
struct WeightedMap {
    var indices: [Int64]
    var weights: [Float]
    var taps: Int
}
