// Resizing with the same arithmetic as Pillow's Image.resize (libImaging/Resample.c, read
// from its description): separable filters whose support widens by the scale factor when
// shrinking (antialiasing), weights normalised per output pixel then rounded to 22-bit fixed
// point, a horizontal pass to an 8-bit intermediate, then a vertical pass. Following it
// step by step gives the same bytes as Pillow. One difference: Pillow premultiplies alpha
// before resizing RGBA/LA images; here every channel is filtered alike.

/// The interpolation filter for resizing.
public enum ResizeFilter: Sendable {
    case bilinear, bicubic

    var support: Double { self == .bilinear ? 1 : 2 }

    func weight(_ t: Double) -> Double {
        let x = abs(t)
        switch self {
        case .bilinear:
            return x < 1 ? 1 - x : 0
        case .bicubic:
            let a = -0.5  // Pillow's bicubic constant
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        }
    }
}

/// For each output position: the first input index, how many inputs, fixed-point weights.
struct ResampleCoefficients {
    static let precisionBits = 22
    let first: [Int]
    let taps: [Int]
    let stride: Int
    let weights: [Int32]

    init(inputSize: Int, outputSize: Int, filter: ResizeFilter) {
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let kernelSize = Int(support.rounded(.up)) * 2 + 1
        var first = [Int](repeating: 0, count: outputSize)
        var taps = [Int](repeating: 0, count: outputSize)
        var weights = [Int32](repeating: 0, count: outputSize * kernelSize)
        var row = [Double](repeating: 0, count: kernelSize)
        let inverse = 1 / filterScale
        let one = Double(1 << Self.precisionBits)
        for o in 0..<outputSize {
            let center = (Double(o) + 0.5) * scale
            let lo = max(Int(center - support + 0.5), 0)  // Int() truncates, as C's cast
            let hi = min(Int(center + support + 0.5), inputSize)
            let n = hi - lo
            var total = 0.0
            for k in 0..<n {
                let w = filter.weight((Double(k + lo) - center + 0.5) * inverse)
                row[k] = w
                total += w
            }
            for k in 0..<n {
                let w = total != 0 ? row[k] / total : row[k]
                weights[o * kernelSize + k] = Int32(w < 0 ? (-0.5 + w * one) : (0.5 + w * one))
            }
            first[o] = lo
            taps[o] = n
        }
        self.first = first
        self.taps = taps
        self.stride = kernelSize
        self.weights = weights
    }
}

extension Image {
    /// The image resized to `width` x `height` with Pillow's algorithm.
    public func resized(width newWidth: Int, height newHeight: Int, filter: ResizeFilter = .bilinear) -> Image {
        precondition(newWidth > 0 && newHeight > 0, "resized: target size must be positive")
        var current = self
        if newWidth != width { current = current.resampledHorizontally(to: newWidth, filter: filter) }
        if newHeight != height { current = current.resampledVertically(to: newHeight, filter: filter) }
        return current
    }

    /// Pillow's 8-bit rounding: the accumulator started at one half, so shift and clip.
    @inline(__always)
    static func clip8(_ sum: Int32) -> UInt8 {
        let v = sum >> Int32(ResampleCoefficients.precisionBits)
        return v < 0 ? 0 : v > 255 ? 255 : UInt8(truncatingIfNeeded: v)
    }

    // Accumulators are Int32 as in Pillow: |weights| sum to under 1.3, so 255 * 1.3 * 2^22
    // stays below 2^31; wrapping operators only drop the overflow checks.
    func resampledHorizontally(to newWidth: Int, filter: ResizeFilter) -> Image {
        let coefficients = ResampleCoefficients(inputSize: width, outputSize: newWidth, filter: filter)
        var out = [UInt8](repeating: 0, count: newWidth * height * channels)
        let c = channels, inWidth = width, rows = height, stride = coefficients.stride
        let half = Int32(1) << Int32(ResampleCoefficients.precisionBits - 1)
        pixels.withUnsafeBufferPointer { srcBuffer in
            out.withUnsafeMutableBufferPointer { dstBuffer in
                coefficients.weights.withUnsafeBufferPointer { wBuffer in
                    coefficients.first.withUnsafeBufferPointer { firstBuffer in
                        coefficients.taps.withUnsafeBufferPointer { tapsBuffer in
                            let src = srcBuffer.baseAddress!, dst = dstBuffer.baseAddress!, w = wBuffer.baseAddress!
                            for y in 0..<rows {
                                let inRow = src + y * inWidth * c, outRow = dst + y * newWidth * c
                                for x in 0..<newWidth {
                                    let n = tapsBuffer[x], k = w + x * stride
                                    let p = inRow + firstBuffer[x] * c
                                    if c == 3 {
                                        var s0 = half, s1 = half, s2 = half
                                        for t in 0..<n {
                                            let wt = k[t], q = p + t * 3
                                            s0 = s0 &+ Int32(q[0]) &* wt
                                            s1 = s1 &+ Int32(q[1]) &* wt
                                            s2 = s2 &+ Int32(q[2]) &* wt
                                        }
                                        outRow[x * 3] = Image.clip8(s0)
                                        outRow[x * 3 + 1] = Image.clip8(s1)
                                        outRow[x * 3 + 2] = Image.clip8(s2)
                                    } else {
                                        for ch in 0..<c {
                                            var sum = half
                                            for t in 0..<n { sum = sum &+ Int32(p[t * c + ch]) &* k[t] }
                                            outRow[x * c + ch] = Image.clip8(sum)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Image(width: newWidth, height: height, channels: channels, pixels: out)
    }

    func resampledVertically(to newHeight: Int, filter: ResizeFilter) -> Image {
        let coefficients = ResampleCoefficients(inputSize: height, outputSize: newHeight, filter: filter)
        let rowLength = width * channels
        var out = [UInt8](repeating: 0, count: rowLength * newHeight)
        let half = Int32(1) << Int32(ResampleCoefficients.precisionBits - 1)
        var sums = [Int32](repeating: 0, count: rowLength)
        pixels.withUnsafeBufferPointer { srcBuffer in
            out.withUnsafeMutableBufferPointer { dstBuffer in
                coefficients.weights.withUnsafeBufferPointer { w in
                    sums.withUnsafeMutableBufferPointer { accBuffer in
                        let src = srcBuffer.baseAddress!, dst = dstBuffer.baseAddress!, acc = accBuffer.baseAddress!
                        // Row by row, so the inner loops run along contiguous memory and vectorise.
                        for y in 0..<newHeight {
                            let lo = coefficients.first[y], n = coefficients.taps[y], wb = y * coefficients.stride
                            acc.update(repeating: half, count: rowLength)
                            for k in 0..<n {
                                let weight = w[wb + k], row = src + (lo + k) * rowLength
                                for i in 0..<rowLength { acc[i] = acc[i] &+ Int32(row[i]) &* weight }
                            }
                            let outRow = dst + y * rowLength
                            for i in 0..<rowLength { outRow[i] = Image.clip8(acc[i]) }
                        }
                    }
                }
            }
        }
        return Image(width: width, height: newHeight, channels: channels, pixels: out)
    }
}
