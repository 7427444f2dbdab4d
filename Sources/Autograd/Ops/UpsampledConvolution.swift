// A convolution of a nearest 2x upsampled image at the image's own resolution. Upsampled
// row 2i + p (p the parity) holds input row i, so output row 2i + p of a stride-1 k x k
// convolution reads input rows i + floor((p + a - top) / 2), a < k: per output phase a
// convolution of the input with a smaller kernel (3x3 for 5x5 'same' and for pix2pix's
// padded 4x4 output layer, 4x4 for 7x7 'same'). The four phases run as one convolution with
// four times the output channels, and a pixel shuffle of windows interleaves them: per
// output pixel 9 products instead of 25 (5x5), 16 instead of 49 (7x7), and the 4x larger
// upsampled image never exists.
//
// A 3x3 'same' layer is a transposed 4x4 stride-2 convolution of the input: output row 2i
// reads input rows i - 1 (tap 0) and i (taps 1 and 2), row 2i + 1 reads rows i (taps 0 and 1)
// and i + 1 (tap 2), and those are the rows the transposed convolution's taps 3, 1 and 2, 0
// reach. With the taps summed into a 4x4 weight it runs on the 4x4 stride-2 phase Winograd
// route: 16 products per 3x3 output tile of each phase (1.8 per output) against F(4x4, 3x3)'s
// 2.25 unfolded.
import CKernels

/// The fold along one axis. Phase p reads input offsets [low_p, low_p + extent_p); one
/// kernel of `size` = the larger extent, over the input padded by `padding` each side, serves
/// both, phase p's outputs starting at `starts[p]` of its output; tap a of phase p lands on
/// kernel entry `taps[p * kernel + a]`.
struct NearestPhaseAxis {
    let kernel: Int, size: Int, padding: Int
    let taps: [Int32], starts: [Int]

    /// nil where the upsampled output's size would be odd or the padding uneven.
    init?(kernel k: Int, before: Int, after: Int) {
        guard k >= 1, before >= 0, after >= 0, before + after == k - 1 else { return nil }
        // Output 2i + p reads input i + ((p + a - before) >> 1) (a floor division).
        func offset(_ p: Int, _ a: Int) -> Int { (p + a - before) >> 1 }
        let low = [offset(0, 0), offset(1, 0)], high = [offset(0, k - 1), offset(1, k - 1)]
        let size = Swift.max(high[0] - low[0], high[1] - low[1]) + 1
        let padding = -Swift.min(low[0], low[1])
        guard Swift.max(low[0], low[1]) + size - 1 == padding else { return nil }
        kernel = k
        self.size = size
        self.padding = padding
        taps = (0..<2).flatMap { p in (0..<k).map { a in Int32(offset(p, a) - low[p]) } }
        starts = low.map { $0 + padding }
    }
}

struct NearestPhaseFold {
    let rows: NearestPhaseAxis, columns: NearestPhaseAxis
}

extension Tensor {
    /// [O, C, kh, kw] weights to the [4 O, C, ph, pw] weights of the four phases; its adjoint
    /// sums each tap's four entries back.
    func nearestPhaseWeights(_ f: NearestPhaseFold) -> Tensor {
        let (o, c) = (shape[0], shape[1])
        let out = Tensor.uninitialized([4 * o, c, f.rows.size, f.columns.size])
        f.rows.taps.withUnsafeBufferPointer { r in f.columns.taps.withUnsafeBufferPointer { q in
            ck_nearest2_phase_weights(storage.pointer, o * c, f.rows.kernel, f.columns.kernel, r.baseAddress, q.baseAddress,
                                      f.rows.size, f.columns.size, c, out.storage.pointer)
        } }
        return out.recorded("nearest_phase_weights", [self]) { g in [g.nearestPhaseWeightsAdjoint(f)] }
    }

    func nearestPhaseWeightsAdjoint(_ f: NearestPhaseFold) -> Tensor {
        let (o, c) = (shape[0] / 4, shape[1])
        let out = Tensor.uninitialized([o, c, f.rows.kernel, f.columns.kernel])
        f.rows.taps.withUnsafeBufferPointer { r in f.columns.taps.withUnsafeBufferPointer { q in
            ck_nearest2_phase_weights_adjoint(storage.pointer, o * c, f.rows.kernel, f.columns.kernel, r.baseAddress,
                                              q.baseAddress, f.rows.size, f.columns.size, c, out.storage.pointer)
        } }
        return out.recorded("nearest_phase_weights_adjoint", [self]) { g in [g.nearestPhaseWeights(f)] }
    }

    /// The 3x3 taps each row (and column) of the 4x4 transposed weight sums.
    static let transposedTaps: [ClosedRange<Int>] = [2...2, 1...2, 0...1, 0...0]

    /// [O, C, 3, 3] 'same' weights after a nearest 2x upsampling to the [C, O, 4, 4] weights of
    /// the stride-2 transposed convolution of the input they amount to; the adjoint sums each
    /// 4x4 entry back into the 3x3 taps it holds.
    func upsampledTransposedWeights() -> Tensor {
        let (o, c) = (shape[0], shape[1])
        let out = Tensor.uninitialized([c, o, 4, 4])
        let w = storage.pointer, t = out.storage.pointer, taps = Tensor.transposedTaps
        for oc in 0..<(o * c) {
            let src = w + oc * 9, dst = t + ((oc % c) * o + oc / c) * 16
            for ky in 0..<4 {
                for kx in 0..<4 {
                    var sum: Float = 0
                    for a in taps[ky] { for b in taps[kx] { sum += src[a * 3 + b] } }
                    dst[ky * 4 + kx] = sum
                }
            }
        }
        return out.recorded("upsampled_transposed_weights", [self]) { g in [g.upsampledTransposedWeightsAdjoint()] }
    }

    func upsampledTransposedWeightsAdjoint() -> Tensor {
        let (c, o) = (shape[0], shape[1])
        let out = Tensor.zeros([o, c, 3, 3])
        let g = storage.pointer, t = out.storage.pointer, taps = Tensor.transposedTaps
        for oc in 0..<(o * c) {
            let src = g + ((oc % c) * o + oc / c) * 16, dst = t + oc * 9
            for ky in 0..<4 {
                for kx in 0..<4 {
                    for a in taps[ky] { for b in taps[kx] { dst[a * 3 + b] += src[ky * 4 + kx] } }
                }
            }
        }
        return out.recorded("upsampled_transposed_weights_adjoint", [self]) { g in [g.upsampledTransposedWeights()] }
    }

    /// [N, 4 O, h', w'] phase outputs to [N, O, 2 h, 2 w]: pixel shuffle of each phase's
    /// h x w window; the adjoint zeroes the rest.
    func interleavedPhases(_ f: NearestPhaseFold, h: Int, w: Int) -> Tensor {
        let (n, o) = (shape[0], shape[1] / 4)
        let out = Tensor.uninitialized([n, o, 2 * h, 2 * w])
        f.rows.starts.withUnsafeBufferPointer { r in f.columns.starts.withUnsafeBufferPointer { c in
            ck_pixel_shuffle_windows(storage.pointer, n * o, shape[2], shape[3], h, w, 2, r.baseAddress, c.baseAddress,
                                     out.storage.pointer)
        } }
        let phaseShape = shape
        return out.recorded("interleave_phases", [self]) { g in [g.interleavedPhasesAdjoint(f, phaseShape)] }
    }

    func interleavedPhasesAdjoint(_ f: NearestPhaseFold, _ phaseShape: [Int]) -> Tensor {
        let (n, o, h, w) = (shape[0], shape[1], shape[2] / 2, shape[3] / 2)
        let out = Tensor.uninitialized(phaseShape)
        f.rows.starts.withUnsafeBufferPointer { r in f.columns.starts.withUnsafeBufferPointer { c in
            ck_pixel_unshuffle_windows(storage.pointer, n * o, phaseShape[2], phaseShape[3], h, w, 2, r.baseAddress,
                                       c.baseAddress, out.storage.pointer)
        } }
        return out.recorded("interleave_phases_adjoint", [self]) { g in [g.interleavedPhases(f, h: h, w: w)] }
    }
}

/// conv2d(pad2d(upsample(x, scaleFactor: 2), left:right:top:bottom:), weight, bias) with zero
/// padding, stride 1, groups 1, computed at x's resolution. nil where it does not fold (an
/// odd output size, uneven padding) or would save nothing (a phase kernel as large as the
/// kernel, or a 3x3 kernel with many output channels that the 4x4 stride-2 Winograd route
/// would not take); the caller then runs the layers as they are.
public func conv2dOfNearestUpsampled(_ x: Tensor, weight: Tensor, bias: Tensor?, left: Int, right: Int, top: Int,
                                     bottom: Int) -> Tensor? {
    guard x.rank == 4, weight.rank == 4, weight.shape[1] == x.shape[1] else { return nil }
    // Counted as the convolution it stands for: 2H x 2W outputs of the whole kernel.
    let unfolded = 2 * Double(x.shape[0] * weight.shape[0]) * Double(4 * x.shape[2] * x.shape[3])
        * Double(x.shape[1] * weight.shape[2] * weight.shape[3])
    if weight.shape[2] == 3, weight.shape[3] == 3, left == 1, right == 1, top == 1, bottom == 1 {
        let transposed = ConvGeometry(batch: x.shape[0], cIn: weight.shape[0], h: 2 * x.shape[2], w: 2 * x.shape[3],
                                      cOut: x.shape[1], kh: 4, kw: 4, strideH: 2, strideW: 2, padH: 1, padW: 1,
                                      dilationH: 1, dilationW: 1, groups: 1)
        var c = transposed.c
        if ck_conv_winograd_s2_suits(&c) != 0 {
            return convTranspose2d(x, weight: weight.upsampledTransposedWeights(), bias: bias, stride: 2, padding: 1,
                                   countedAs: unfolded)
        }
    }
    guard let rows = NearestPhaseAxis(kernel: weight.shape[2], before: top, after: bottom),
          let columns = NearestPhaseAxis(kernel: weight.shape[3], before: left, after: right),
          rows.size * columns.size < rows.kernel * columns.kernel,
          // A 3x3 layer's 2x2 phases need 4 products per output; unfolded, Winograd gives it
          // 2.25 (F(4x4, 3x3)) to 4, and folded its weight gradient went through im2col columns
          // (bicyclegan: no faster, 170 MB more). An output layer (fewer channels than Winograd
          // takes) runs 9 unfolded, and folded it never holds the upsampled image (ccgan's: 128
          // channels at 128 px, 67 MB at batch 8).
          !(rows.kernel == 3 && columns.kernel == 3 && weight.shape[0] >= Int(CK_WINOGRAD_MIN_CHANNELS)) else { return nil }
    let o = weight.shape[0], fold = NearestPhaseFold(rows: rows, columns: columns)
    let phaseBias = bias.map { $0.reshape([o, 1]).expand(to: [o, 4]).reshape([4 * o]) }
    let y = conv2d(x, weight: weight.nearestPhaseWeights(fold), bias: phaseBias,
                   padding: Pair(h: rows.padding, w: columns.padding), countedAs: unfolded)
    return y.interleavedPhases(fold, h: x.shape[2], w: x.shape[3])
}
