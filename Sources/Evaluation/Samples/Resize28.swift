// Bringing samples of another size (32x32 DCGAN output, 64x64 grids...) to the classifier's
// 28x28: separable triangle filtering whose support widens when shrinking, so downscaling
// averages instead of aliasing (Pillow's antialiased bilinear does the same).
import Autograd

/// [N, 1, H, W] -> [N, 1, 28, 28]; unchanged when already 28x28.
public func resizedTo28(_ images: Tensor) -> Tensor {
    let (n, h, w) = (images.shape[0], images.shape[2], images.shape[3])
    if h == 28 && w == 28 { return images }
    let rows = triangleWeights(from: h, to: 28), cols = triangleWeights(from: w, to: 28)
    var tmp = [Float](repeating: 0, count: h * 28)
    return images.withUnsafeElements { src in
        Tensor(shape: [n, 1, 28, 28]) { dst in
            for i in 0..<n {
                let s = i * h * w, d = i * 784
                // Horizontal pass: h x w -> h x 28.
                for y in 0..<h {
                    for (x, taps) in cols.enumerated() {
                        var acc: Float = 0
                        for (j, wt) in taps { acc += src[s + y * w + j] * wt }
                        tmp[y * 28 + x] = acc
                    }
                }
                // Vertical pass: h x 28 -> 28 x 28.
                for (y, taps) in rows.enumerated() {
                    for x in 0..<28 {
                        var acc: Float = 0
                        for (j, wt) in taps { acc += tmp[j * 28 + x] * wt }
                        dst[d + y * 28 + x] = acc
                    }
                }
            }
        }
    }
}

/// For each output pixel, the input pixels and normalised weights of a triangle filter.
func triangleWeights(from input: Int, to output: Int) -> [[(Int, Float)]] {
    let scale = Double(input) / Double(output)
    let support = Swift.max(scale, 1)
    return (0..<output).map { o in
        let centre = (Double(o) + 0.5) * scale
        let lo = Swift.max(0, Int((centre - support).rounded(.down))), hi = Swift.min(input - 1, Int((centre + support).rounded(.up)))
        var taps = [(Int, Float)]()
        var total = 0.0
        for i in lo...hi {
            let wt = Swift.max(0, 1 - abs((Double(i) + 0.5 - centre) / support))
            if wt > 0 { taps.append((i, Float(wt))); total += wt }
        }
        return taps.map { ($0.0, Float(Double($0.1) / total)) }
    }
}
