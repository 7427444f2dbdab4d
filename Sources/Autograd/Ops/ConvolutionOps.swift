// conv2d and conv_transpose2d. Three linear ops close under differentiation: the forward
// convolution, its data adjoint and its weight adjoint; each one's backward is written
// with the other two, so gradients of any order stay inside this set.
import CKernels

/// A (height, width) pair that also accepts a single integer for both, as PyTorch does.
public struct Pair: Equatable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var h: Int
    public var w: Int
    public init(h: Int, w: Int) { self.h = h; self.w = w }
    public init(_ both: Int) { h = both; w = both }
    public init(integerLiteral value: Int) { self.init(value) }
    public var description: String { "(\(h), \(w))" }
}

extension Tensor {
    static func conv2dOp(_ x: Tensor, _ w: Tensor, _ g: ConvGeometry) -> Tensor {
        let xNeedsGrad = x.requiresGrad, xs = SavedTensor(x)
        return Kernels.conv2dForward(x, w, g).recorded("conv2d", [x, w]) { gy, needs in
            // The weight gradient first: a recomputed input is freed before dL/dx exists.
            let gw = w.requiresGrad && needs[1] ? conv2dBackwardWeightOp(xs.value, gy, g) : nil
            return [xNeedsGrad && needs[0] ? conv2dBackwardDataOp(gy, w, g) : nil, gw]
        }
    }

    /// dL/dx of conv2d (and the forward of conv_transpose2d): linear in gy and in w.
    static func conv2dBackwardDataOp(_ gy: Tensor, _ w: Tensor, _ g: ConvGeometry) -> Tensor {
        Kernels.conv2dBackwardData(gy, w, g).recorded("conv2d_backward_data", [gy, w]) { gg, needs in
            [gy.requiresGrad && needs[0] ? conv2dOp(gg, w, g) : nil,
             w.requiresGrad && needs[1] ? conv2dBackwardWeightOp(gg, gy, g) : nil]
        }
    }

    /// dL/dw of conv2d: linear in x and in gy.
    static func conv2dBackwardWeightOp(_ x: Tensor, _ gy: Tensor, _ g: ConvGeometry) -> Tensor {
        Kernels.conv2dBackwardWeight(x, gy, g).recorded("conv2d_backward_weight", [x, gy]) { gw, needs in
            [x.requiresGrad && needs[0] ? conv2dBackwardDataOp(gy, gw, g) : nil,
             gy.requiresGrad && needs[1] ? conv2dOp(x, gw, g) : nil]
        }
    }

    /// conv2d with its bias added in place in the output, as one recorded op (a separate
    /// add would keep the bias-free output alive in the graph: one more activation).
    static func conv2dBiasOp(_ x: Tensor, _ w: Tensor, _ b: Tensor, _ g: ConvGeometry) -> Tensor {
        let y = Kernels.conv2dForward(x, w, g)
        ck_add_channel_bias(y.storage.pointer, g.batch, g.cOut, g.outH * g.outW, b.storage.pointer)
        let bshape = b.shape
        let xNeedsGrad = x.requiresGrad, xs = SavedTensor(x)
        return y.recorded("conv2d", [x, w, b]) { gy, needs in
            let gw = w.requiresGrad && needs[1] ? conv2dBackwardWeightOp(xs.value, gy, g) : nil
            return [xNeedsGrad && needs[0] ? conv2dBackwardDataOp(gy, w, g) : nil, gw,
                    b.requiresGrad && needs[2] ? gy.sum(dims: [0, 2, 3]).reshape(bshape) : nil]
        }
    }

    /// conv_transpose2d (the data adjoint of a convolution) with its bias, as one op.
    static func convTranspose2dBiasOp(_ x: Tensor, _ w: Tensor, _ b: Tensor, _ g: ConvGeometry) -> Tensor {
        let y = Kernels.conv2dBackwardData(x, w, g)
        ck_add_channel_bias(y.storage.pointer, g.batch, g.cIn, g.h * g.w, b.storage.pointer)
        let bshape = b.shape
        return y.recorded("conv_transpose2d", [x, w, b]) { gy, needs in
            [x.requiresGrad && needs[0] ? conv2dOp(gy, w, g) : nil,
             w.requiresGrad && needs[1] ? conv2dBackwardWeightOp(gy, x, g) : nil,
             b.requiresGrad && needs[2] ? gy.sum(dims: [0, 2, 3]).reshape(bshape) : nil]
        }
    }
}

/// 2-D convolution (cross-correlation) as torch.nn.functional.conv2d.
/// x [N, C, H, W], weight [O, C/groups, kh, kw], bias [O].
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Pair = 1, padding: Pair = 0,
                   dilation: Pair = 1, groups: Int = 1) -> Tensor {
    conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups, countedAs: nil)
}

/// conv2d whose passes count `countedAs` FLOPs each in `WorkCount` (nil: their own).
func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Pair = 1, padding: Pair, dilation: Pair = 1, groups: Int = 1,
            countedAs: Double?) -> Tensor {
    let desc = "conv2d: input \(Shape.describe(x.shape)), weight \(Shape.describe(weight.shape))"
    guard x.rank == 4, weight.rank == 4 else { shapeFailure("\(desc): both must be 4-D (NCHW, OIHW)") }
    guard groups >= 1, x.shape[1] == weight.shape[1] * groups, weight.shape[0] % groups == 0 else {
        shapeFailure("\(desc), groups \(groups): input channels must equal weight.shape[1] * groups")
    }
    guard stride.h > 0, stride.w > 0, dilation.h > 0, dilation.w > 0, padding.h >= 0, padding.w >= 0 else {
        shapeFailure("\(desc): stride \(stride) and dilation \(dilation) must be positive, padding \(padding) non-negative")
    }
    var g = ConvGeometry(batch: x.shape[0], cIn: x.shape[1], h: x.shape[2], w: x.shape[3], cOut: weight.shape[0],
                         kh: weight.shape[2], kw: weight.shape[3], strideH: stride.h, strideW: stride.w,
                         padH: padding.h, padW: padding.w, dilationH: dilation.h, dilationW: dilation.w, groups: groups)
    guard g.outH > 0, g.outW > 0 else { shapeFailure("\(desc), padding \(padding): the kernel is larger than the padded input") }
    if let countedAs { g.countedPerRun = countedAs / g.directFLOPs }
    guard let bias else { return Tensor.conv2dOp(x, weight, g) }
    guard bias.count == g.cOut else { shapeFailure("\(desc): bias of shape \(Shape.describe(bias.shape)) for \(g.cOut) output channels") }
    return Tensor.conv2dBiasOp(x, weight, bias, g)
}

/// Transposed 2-D convolution as torch.nn.functional.conv_transpose2d.
/// x [N, C, H, W], weight [C, O/groups, kh, kw], bias [O].
public func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Pair = 1, padding: Pair = 0,
                            outputPadding: Pair = 0, groups: Int = 1, dilation: Pair = 1) -> Tensor {
    convTranspose2d(x, weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                    groups: groups, dilation: dilation, countedAs: nil)
}

/// convTranspose2d whose passes count `countedAs` FLOPs each in `WorkCount` (nil: their own).
func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Pair, padding: Pair, outputPadding: Pair = 0,
                     groups: Int = 1, dilation: Pair = 1, countedAs: Double?) -> Tensor {
    let desc = "conv_transpose2d: input \(Shape.describe(x.shape)), weight \(Shape.describe(weight.shape))"
    guard x.rank == 4, weight.rank == 4 else { shapeFailure("\(desc): both must be 4-D") }
    guard groups >= 1, x.shape[1] == weight.shape[0], weight.shape[0] % groups == 0 else {
        shapeFailure("\(desc), groups \(groups): input channels must equal weight.shape[0]")
    }
    guard outputPadding.h < Swift.max(stride.h, dilation.h), outputPadding.w < Swift.max(stride.w, dilation.w),
          outputPadding.h >= 0, outputPadding.w >= 0 else {
        shapeFailure("\(desc): output padding \(outputPadding) must be smaller than stride \(stride) or dilation \(dilation)")
    }
    let kh = weight.shape[2], kw = weight.shape[3]
    let outH = (x.shape[2] - 1) * stride.h - 2 * padding.h + dilation.h * (kh - 1) + outputPadding.h + 1
    let outW = (x.shape[3] - 1) * stride.w - 2 * padding.w + dilation.w * (kw - 1) + outputPadding.w + 1
    guard outH > 0, outW > 0 else { shapeFailure("\(desc): the output would be empty (\(outH) x \(outW))") }
    // The equivalent convolution maps the [N, O, outH, outW] output back to x.
    var g = ConvGeometry(batch: x.shape[0], cIn: weight.shape[1] * groups, h: outH, w: outW, cOut: x.shape[1],
                         kh: kh, kw: kw, strideH: stride.h, strideW: stride.w, padH: padding.h, padW: padding.w,
                         dilationH: dilation.h, dilationW: dilation.w, groups: groups)
    if let countedAs { g.countedPerRun = countedAs / g.directFLOPs }
    guard let bias else { return Tensor.conv2dBackwardDataOp(x, weight, g) }
    guard bias.count == g.cIn else { shapeFailure("\(desc): bias of shape \(Shape.describe(bias.shape)) for \(g.cIn) output channels") }
    return Tensor.convTranspose2dBiasOp(x, weight, bias, g)
}
