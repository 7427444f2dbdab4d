// A convolution of a nearest 2x upsampled image at the image's own resolution. Upsampled
// row 2i + p (p the parity) holds input row i, so output row 2i + p of a stride-1 k x k
// convolution reads input rows i + floor((p + a - top) / 2), a < k: per output phase a
// convolution of the input with a smaller kernel (3x3 for 5x5 'same', as in MUNIT's
// decoder; 3x3 for pix2pix's padded 4x4 output layer). The four phases run as one
// convolution with four times the output channels, and pixel shuffle interleaves them:
// 36 products per input pixel and channel pair instead of 100 (5x5), and the 4x larger
// upsampled image never exists.
import CKernels

/// The fold along one axis: phase p's tap a lands on phase-kernel entry `taps[p * k + a]`.
struct NearestPhaseAxis {
    let kernel: Int, size: Int, padding: Int
    let taps: [Int32]

    /// nil where the two phases would need different paddings or output sizes.
    init?(kernel k: Int, before: Int, after: Int) {
        // Output 2i + p reads input i + ((p + a - before) >> 1) (a floor division).
        let low = (0 - before) >> 1, high = (1 + k - 1 - before) >> 1
        guard k >= 1, before >= 0, after >= 0, before + after == k - 1, -low == high else { return nil }
        kernel = k
        size = high - low + 1
        padding = -low
        taps = (0..<2).flatMap { p in (0..<k).map { a in Int32(((p + a - before) >> 1) - low) } }
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
}

/// conv2d(pad2d(upsample(x, scaleFactor: 2), left:right:top:bottom:), weight, bias) with zero
/// padding, stride 1, groups 1, computed at x's resolution. nil where it does not fold (an
/// odd output size, unequal phase paddings) or would save nothing (phase kernels as large as
/// the kernel, as a 3x3 'same' one); the caller then runs the layers as they are.
public func conv2dOfNearestUpsampled(_ x: Tensor, weight: Tensor, bias: Tensor?, left: Int, right: Int, top: Int,
                                     bottom: Int) -> Tensor? {
    guard x.rank == 4, weight.rank == 4, weight.shape[1] == x.shape[1],
          let rows = NearestPhaseAxis(kernel: weight.shape[2], before: top, after: bottom),
          let columns = NearestPhaseAxis(kernel: weight.shape[3], before: left, after: right),
          rows.size * columns.size < rows.kernel * columns.kernel else { return nil }
    let o = weight.shape[0]
    let phases = weight.nearestPhaseWeights(NearestPhaseFold(rows: rows, columns: columns))
    let phaseBias = bias.map { $0.reshape([o, 1]).expand(to: [o, 4]).reshape([4 * o]) }
    let y = conv2d(x, weight: phases, bias: phaseBias, padding: Pair(h: rows.padding, w: columns.padding))
    return pixelShuffle(y, upscaleFactor: 2)
}
