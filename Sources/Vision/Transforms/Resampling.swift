// Resizing with the same arithmetic as Pillow's Image.resize (libImaging/Resample.c, read
// from its description): separable filters whose support widens by the scale factor when
// shrinking (antialiasing), weights normalised per output pixel then rounded to 22-bit fixed
// point, a horizontal pass to an 8-bit intermediate, then a vertical pass. Following it
// step by step gives the same bytes as Pillow.

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

    /// Pillow's 8-bit rounding: add half, shift, clip.
    @inline(__always)
    static func clip8(_ sum: Int64) -> UInt8 {
        let v = sum >> Int64(ResampleCoefficients.precisionBits)
        return v < 0 ? 0 : v > 255 ? 255 : UInt8(v)
    }

    func resampledHorizontally(to newWidth: Int, filter: ResizeFilter) -> Image {
        let coefficients = ResampleCoefficients(inputSize: width, outputSize: newWidth, filter: filter)
        var out = [UInt8](repeating: 0, count: newWidth * height * channels)
        let c = channels, inWidth = width, rows = height
        let half = Int64(1) << Int64(ResampleCoefficients.precisionBits - 1)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                coefficients.weights.withUnsafeBufferPointer { w in
                    for y in 0..<rows {
                        let inRow = y * inWidth * c, outRow = y * newWidth * c
                        for x in 0..<newWidth {
                            let lo = coefficients.first[x], n = coefficients.taps[x], wb = x * coefficients.stride
                            for ch in 0..<c {
                                var sum = half
                                for k in 0..<n {
                                    sum += Int64(src[inRow + (lo + k) * c + ch]) * Int64(w[wb + k])
                                }
                                dst[outRow + x * c + ch] = Image.clip8(sum)
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
        let half = Int64(1) << Int64(ResampleCoefficients.precisionBits - 1)
        var sums = [Int64](repeating: 0, count: rowLength)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                coefficients.weights.withUnsafeBufferPointer { w in
                    sums.withUnsafeMutableBufferPointer { acc in
                        // Row by row, so the inner loop runs along contiguous memory.
                        for y in 0..<newHeight {
                            let lo = coefficients.first[y], n = coefficients.taps[y], wb = y * coefficients.stride
                            for i in 0..<rowLength { acc[i] = half }
                            for k in 0..<n {
                                let weight = Int64(w[wb + k]), base = (lo + k) * rowLength
                                for i in 0..<rowLength { acc[i] += Int64(src[base + i]) * weight }
                            }
                            let outBase = y * rowLength
                            for i in 0..<rowLength { dst[outBase + i] = Image.clip8(acc[i]) }
                        }
                    }
                }
            }
        }
        return Image(width: width, height: newHeight, channels: channels, pixels: out)
    }
}
