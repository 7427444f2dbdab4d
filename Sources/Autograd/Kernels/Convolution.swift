// Convolution kernels (im2col + GEMM). The three functions are the forward pass and the
// two adjoints; conv_transpose2d is the data adjoint of conv2d.
import CKernels

/// The geometry of a 2-D convolution from input x[n, cIn, h, w] and weight
/// [cOut, cIn/groups, kh, kw] to y[n, cOut, outH, outW].
public struct ConvGeometry: Equatable, Sendable {
    public var batch, cIn, h, w, cOut, kh, kw: Int
    public var strideH, strideW, padH, padW, dilationH, dilationW, groups: Int
    public var outH: Int { (h + 2 * padH - dilationH * (kh - 1) - 1) / strideH + 1 }
    public var outW: Int { (w + 2 * padW - dilationW * (kw - 1) - 1) / strideW + 1 }
    var inputShape: [Int] { [batch, cIn, h, w] }
    var weightShape: [Int] { [cOut, cIn / groups, kh, kw] }
    var outputShape: [Int] { [batch, cOut, outH, outW] }
    var colRows: Int { (cIn / groups) * kh * kw }
}

extension Kernels {
    static func conv2dForward(_ x: Tensor, _ weight: Tensor, _ g: ConvGeometry) -> Tensor {
        let y = Tensor.uninitialized(g.outputShape)
        let ohw = g.outH * g.outW, cg = g.cIn / g.groups, og = g.cOut / g.groups
        let cols = UnsafeMutablePointer<Float>.allocate(capacity: max(g.colRows * ohw, 1))
        defer { cols.deallocate() }
        for n in 0..<g.batch {
            for grp in 0..<g.groups {
                let xp = x.storage.pointer + (n * g.cIn + grp * cg) * g.h * g.w
                ck_im2col(xp, cg, g.h, g.w, g.kh, g.kw, g.padH, g.padW, g.strideH, g.strideW,
                          g.dilationH, g.dilationW, g.outH, g.outW, cols)
                sgemm(transA: false, transB: false, m: og, n: ohw, k: g.colRows,
                      a: weight.storage.pointer + grp * og * g.colRows, lda: g.colRows,
                      b: cols, ldb: ohw, c: y.storage.pointer + (n * g.cOut + grp * og) * ohw, ldc: ohw)
            }
        }
        return y
    }

    /// dL/dx given dL/dy (also the forward pass of conv_transpose2d).
    static func conv2dBackwardData(_ gy: Tensor, _ weight: Tensor, _ g: ConvGeometry) -> Tensor {
        let gx = Tensor.zeros(g.inputShape)
        let ohw = g.outH * g.outW, cg = g.cIn / g.groups, og = g.cOut / g.groups
        let cols = UnsafeMutablePointer<Float>.allocate(capacity: max(g.colRows * ohw, 1))
        defer { cols.deallocate() }
        for n in 0..<g.batch {
            for grp in 0..<g.groups {
                sgemm(transA: true, transB: false, m: g.colRows, n: ohw, k: og,
                      a: weight.storage.pointer + grp * og * g.colRows, lda: g.colRows,
                      b: gy.storage.pointer + (n * g.cOut + grp * og) * ohw, ldb: ohw, c: cols, ldc: ohw)
                ck_col2im(cols, cg, g.h, g.w, g.kh, g.kw, g.padH, g.padW, g.strideH, g.strideW,
                          g.dilationH, g.dilationW, g.outH, g.outW,
                          gx.storage.pointer + (n * g.cIn + grp * cg) * g.h * g.w)
            }
        }
        return gx
    }

    /// dL/dweight given the input and dL/dy.
    static func conv2dBackwardWeight(_ x: Tensor, _ gy: Tensor, _ g: ConvGeometry) -> Tensor {
        let gw = Tensor.zeros(g.weightShape)
        let ohw = g.outH * g.outW, cg = g.cIn / g.groups, og = g.cOut / g.groups
        let cols = UnsafeMutablePointer<Float>.allocate(capacity: max(g.colRows * ohw, 1))
        defer { cols.deallocate() }
        for n in 0..<g.batch {
            for grp in 0..<g.groups {
                let xp = x.storage.pointer + (n * g.cIn + grp * cg) * g.h * g.w
                ck_im2col(xp, cg, g.h, g.w, g.kh, g.kw, g.padH, g.padW, g.strideH, g.strideW,
                          g.dilationH, g.dilationW, g.outH, g.outW, cols)
                sgemm(transA: false, transB: true, m: og, n: g.colRows, k: ohw,
                      a: gy.storage.pointer + (n * g.cOut + grp * og) * ohw, lda: ohw,
                      b: cols, ldb: ohw, beta: 1,
                      c: gw.storage.pointer + grp * og * g.colRows, ldc: g.colRows)
            }
        }
        return gw
    }
}
