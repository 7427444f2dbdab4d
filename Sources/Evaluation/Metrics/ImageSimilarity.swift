// How close each generated image is to its target in a paired test set (pix2pix-style
// models: facades labels -> photo): mean absolute error, PSNR and SSIM per image.
//
// Data range: models output [-1, 1]; every metric is computed on the images mapped to
// [0, 1] (data range 1), the convention of image-quality papers and of scikit-image for
// float images. So L1 here is half the training loss's L1, while PSNR is the same on
// either scale (it depends on range² / MSE only). SSIM is not shift-invariant, so the
// mapping matters for it; [0, 1] with data_range 1 is what `skimage.metrics.
// structural_similarity(a, b, data_range=1, channel_axis=0)` sees for these images.
// Values outside the range are not clamped.
import Autograd
import Foundation

/// Per-image scores of `output` against `target` (index i pairs with index i).
public struct ImageSimilarity: Equatable, Sendable {
    /// Mean absolute difference over all pixels and channels, on [0, 1].
    public let l1: [Double]
    /// 10·log10(1 / MSE) in dB; +infinity for identical images.
    public let psnr: [Double]
    /// scikit-image's SSIM with its defaults, the mean over channels.
    public let ssim: [Double]

    public init(l1: [Double], psnr: [Double], ssim: [Double]) {
        (self.l1, self.psnr, self.ssim) = (l1, psnr, ssim)
    }

    public var count: Int { l1.count }
    public var meanL1: Double { Self.mean(l1) }
    /// The mean of the per-image PSNRs (as pix2pix-style evaluations report it); infinite
    /// when one pair is identical.
    public var meanPSNR: Double { Self.mean(psnr) }
    public var meanSSIM: Double { Self.mean(ssim) }

    static func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }
}

/// Scores two batches [N, C, H, W] of equal shape whose values lie in `valueRange`
/// (model outputs: -1...1; images loaded as [0, 1]: 0...1). Images must be at least 7x7
/// (the SSIM window).
public func imageSimilarity(_ output: Tensor, _ target: Tensor, valueRange: ClosedRange<Float> = -1...1)
    throws(EvaluationError) -> ImageSimilarity {
    guard output.shape == target.shape else {
        throw EvaluationError("image similarity: outputs \(output.shape) and targets \(target.shape) differ in shape")
    }
    guard output.rank == 4 else { throw EvaluationError("image similarity: expected images [N, C, H, W], got \(output.shape)") }
    let (n, c, h, w) = (output.shape[0], output.shape[1], output.shape[2], output.shape[3])
    guard h >= SSIM.window && w >= SSIM.window else {
        throw EvaluationError("image similarity: images of \(h)x\(w) are smaller than the 7x7 SSIM window")
    }
    guard valueRange.upperBound > valueRange.lowerBound else {
        throw EvaluationError("image similarity: empty value range \(valueRange)")
    }
    let low = Double(valueRange.lowerBound), scale = 1 / Double(valueRange.upperBound - valueRange.lowerBound)
    let plane = h * w, size = c * plane
    var l1: [Double] = [], psnr: [Double] = [], ssim: [Double] = []
    var x = [Double](repeating: 0, count: size), y = [Double](repeating: 0, count: size)
    let ssimScratch = SSIM(height: h, width: w)
    for i in 0..<n {
        var absSum = 0.0, squareSum = 0.0
        output.withUnsafeElements { outputs in
            target.withUnsafeElements { targets in
                let a = outputs.baseAddress! + i * size, b = targets.baseAddress! + i * size
                for k in 0..<size {
                    let u = (Double(a[k]) - low) * scale, v = (Double(b[k]) - low) * scale
                    x[k] = u
                    y[k] = v
                    absSum += abs(u - v)
                    squareSum += (u - v) * (u - v)
                }
            }
        }
        l1.append(absSum / Double(size))
        let mse = squareSum / Double(size)
        psnr.append(mse == 0 ? .infinity : 10 * log10(1 / mse))
        var channelSum = 0.0
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                for ch in 0..<c {
                    channelSum += ssimScratch.mean(xs.baseAddress! + ch * plane, ys.baseAddress! + ch * plane, dataRange: 1)
                }
            }
        }
        ssim.append(channelSum / Double(c))
    }
    return ImageSimilarity(l1: l1, psnr: psnr, ssim: ssim)
}

/// SSIM of one channel as scikit-image's `structural_similarity` with its defaults: 7x7
/// uniform window, K1 0.01, K2 0.03, sample covariance (×49/48), the mean of the SSIM map
/// over the pixels whose window lies inside the image (skimage computes the whole map
/// with reflected borders and then crops 3 pixels from each side, so the borders never
/// count). Window sums are separable running sums in double precision.
final class SSIM {
    static let window = 7
    let height: Int, width: Int
    /// Row-wise window sums of x, y, x², y², xy: 5 maps of height x (width - 6).
    private var rows: [Double]

    init(height: Int, width: Int) {
        self.height = height
        self.width = width
        rows = [Double](repeating: 0, count: 5 * height * (width - Self.window + 1))
    }

    func mean(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, dataRange: Double) -> Double {
        let k = Self.window, h = height, w = width
        let ow = w - k + 1, oh = h - k + 1, map = h * ow
        let c1 = (0.01 * dataRange) * (0.01 * dataRange), c2 = (0.03 * dataRange) * (0.03 * dataRange)
        let area = Double(k * k), covNorm = area / (area - 1)
        return rows.withUnsafeMutableBufferPointer { buf -> Double in
            let r = buf.baseAddress!
            // Horizontal: window sums along each row.
            for i in 0..<h {
                let xr = x + i * w, yr = y + i * w, o = i * ow
                var sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
                for j in 0..<w {
                    let u = xr[j], v = yr[j]
                    sx += u; sy += v; sxx += u * u; syy += v * v; sxy += u * v
                    if j >= k {
                        let p = xr[j - k], q = yr[j - k]
                        sx -= p; sy -= q; sxx -= p * p; syy -= q * q; sxy -= p * q
                    }
                    if j >= k - 1 {
                        let at = o + j - k + 1
                        r[at] = sx; r[map + at] = sy; r[2 * map + at] = sxx; r[3 * map + at] = syy; r[4 * map + at] = sxy
                    }
                }
            }
            // Vertical: window sums down the columns, a row at a time; then each window's SSIM.
            var total = 0.0
            let acc = UnsafeMutablePointer<Double>.allocate(capacity: 5 * ow)
            defer { acc.deallocate() }
            acc.initialize(repeating: 0, count: 5 * ow)
            for i in 0..<h {
                for m in 0..<5 {
                    let a = acc + m * ow, add = r + m * map + i * ow
                    for j in 0..<ow { a[j] += add[j] }
                    if i >= k {
                        let sub = r + m * map + (i - k) * ow
                        for j in 0..<ow { a[j] -= sub[j] }
                    }
                }
                guard i >= k - 1 else { continue }
                for j in 0..<ow {
                    let ux = acc[j] / area, uy = acc[ow + j] / area
                    let vx = covNorm * (acc[2 * ow + j] / area - ux * ux), vy = covNorm * (acc[3 * ow + j] / area - uy * uy)
                    let vxy = covNorm * (acc[4 * ow + j] / area - ux * uy)
                    total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2))
                }
            }
            return total / Double(oh * ow)
        }
    }
}
