// Convolution kernels (im2col + packed GEMM, in C). The three functions are the forward pass and the
// two adjoints; conv_transpose2d is the data adjoint of conv2d.
import CKernels

/// The geometry of a 2-D convolution from input x[n, cIn, h, w] and weight
/// [cOut, cIn/groups, kh, kw] to y[n, cOut, outH, outW].
public struct ConvGeometry: Equatable, Sendable {
    public var batch, cIn, h, w, cOut, kh, kw: Int
    public var strideH, strideW, padH, padW, dilationH, dilationW, groups: Int
    /// FLOPs counted per FLOP run (`WorkCount`): above 1 for a folded convolution, which
    /// counts as the larger convolution it stands for.
    var countedPerRun: Double = 1
    public var outH: Int { (h + 2 * padH - dilationH * (kh - 1) - 1) / strideH + 1 }
    public var outW: Int { (w + 2 * padW - dilationW * (kw - 1) - 1) / strideW + 1 }
    var inputShape: [Int] { [batch, cIn, h, w] }
    var weightShape: [Int] { [cOut, cIn / groups, kh, kw] }
    var outputShape: [Int] { [batch, cOut, outH, outW] }
    var colRows: Int { (cIn / groups) * kh * kw }
    /// Each pass's FLOPs as a direct convolution (forward, data or weight gradient alike).
    var directFLOPs: Double { 2 * Double(batch) * Double(cOut) * Double(outH * outW) * Double(colRows) }
}

extension ConvGeometry {
    var c: ck_conv_geometry {
        ck_conv_geometry(batch: batch, c_in: cIn, h: h, w: w, c_out: cOut, kh: kh, kw: kw,
                         stride_h: strideH, stride_w: strideW, pad_h: padH, pad_w: padW,
                         dil_h: dilationH, dil_w: dilationW, groups: groups, out_h: outH, out_w: outW)
    }
}

// The C driver (conv.c) tiles the batch, reuses per-thread im2col buffers and splits the
// tiles over the pool; see there for why results do not depend on the thread count.
extension Kernels {
    static func conv2dForward(_ x: Tensor, _ weight: Tensor, _ g: ConvGeometry) -> Tensor {
        let y = Tensor.uninitialized(g.outputShape)
        var cg = g.c
        ck_conv2d_forward(&cg, x.storage.pointer, weight.storage.pointer, y.storage.pointer)
        WorkCount.add(g.directFLOPs * g.countedPerRun)
        return y
    }

    /// dL/dx given dL/dy (also the forward pass of conv_transpose2d).
    static func conv2dBackwardData(_ gy: Tensor, _ weight: Tensor, _ g: ConvGeometry) -> Tensor {
        let gx = Tensor.uninitialized(g.inputShape)
        var cg = g.c
        ck_conv2d_backward_data(&cg, gy.storage.pointer, weight.storage.pointer, gx.storage.pointer)
        WorkCount.add(g.directFLOPs * g.countedPerRun)
        return gx
    }

    /// dL/dweight given the input and dL/dy.
    static func conv2dBackwardWeight(_ x: Tensor, _ gy: Tensor, _ g: ConvGeometry) -> Tensor {
        let gw = Tensor.uninitialized(g.weightShape)
        var cg = g.c
        ck_conv2d_backward_weight(&cg, x.storage.pointer, gy.storage.pointer, gw.storage.pointer)
        WorkCount.add(g.directFLOPs * g.countedPerRun)
        return gw
    }
}
