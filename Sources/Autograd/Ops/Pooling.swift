// Pooling. Max pooling routes values through an index map taken from the data; average
// pooling is a fixed sparse linear map. Both are differentiable to any order.

func requireNCHW(_ x: Tensor, _ op: String) {
    guard x.rank == 4 else { shapeFailure("\(op): expected a 4-D NCHW input, got \(Shape.describe(x.shape))") }
}

func pooledSize(_ n: Int, kernel: Int, stride: Int, padding: Int, op: String) -> Int {
    guard kernel > 0, stride > 0, padding >= 0, padding * 2 <= kernel else {
        shapeFailure("\(op): kernel \(kernel), stride \(stride), padding \(padding) are invalid (padding at most half the kernel)")
    }
    let out = (n + 2 * padding - kernel) / stride + 1
    guard out > 0 else { shapeFailure("\(op): kernel \(kernel) is larger than the padded input \(n + 2 * padding)") }
    return out
}

/// Max pooling (floor mode, padding counts as -infinity) as torch.nn.MaxPool2d.
public func maxPool2d(_ x: Tensor, kernelSize: Pair, stride: Pair? = nil, padding: Pair = 0) -> Tensor {
    requireNCHW(x, "max_pool2d")
    let s = stride ?? kernelSize
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let oh = pooledSize(h, kernel: kernelSize.h, stride: s.h, padding: padding.h, op: "max_pool2d")
    let ow = pooledSize(w, kernel: kernelSize.w, stride: s.w, padding: padding.w, op: "max_pool2d")
    var map = [Int64](repeating: 0, count: n * c * oh * ow)
    let p = x.storage.pointer
    var o = 0
    for plane in 0..<(n * c) {
        let base = plane * h * w
        for oy in 0..<oh {
            for ox in 0..<ow {
                var best = -Float.infinity, bestIndex = -1
                for ky in 0..<kernelSize.h {
                    let iy = oy * s.h - padding.h + ky
                    if iy < 0 || iy >= h { continue }
                    for kx in 0..<kernelSize.w {
                        let ix = ox * s.w - padding.w + kx
                        if ix < 0 || ix >= w { continue }
                        let v = p[base + iy * w + ix]
                        if bestIndex < 0 || v > best || v.isNaN { best = v; bestIndex = base + iy * w + ix; if v.isNaN { break } }
                    }
                }
                map[o] = Int64(bestIndex)
                o += 1
            }
        }
    }
    return x.gatheringMap(map, shape: [n, c, oh, ow])
}

/// Average pooling as torch.nn.AvgPool2d (count_include_pad decides the divisor at borders).
public func avgPool2d(_ x: Tensor, kernelSize: Pair, stride: Pair? = nil, padding: Pair = 0,
                      countIncludePad: Bool = true) -> Tensor {
    requireNCHW(x, "avg_pool2d")
    let s = stride ?? kernelSize
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let oh = pooledSize(h, kernel: kernelSize.h, stride: s.h, padding: padding.h, op: "avg_pool2d")
    let ow = pooledSize(w, kernel: kernelSize.w, stride: s.w, padding: padding.w, op: "avg_pool2d")
    let taps = kernelSize.h * kernelSize.w
    var map = WeightedMap(indices: [Int64](repeating: -1, count: n * c * oh * ow * taps),
                          weights: [Float](repeating: 0, count: n * c * oh * ow * taps), taps: taps)
    var o = 0
    for plane in 0..<(n * c) {
        let base = plane * h * w
        for oy in 0..<oh {
            for ox in 0..<ow {
                var valid = 0
                for ky in 0..<kernelSize.h {
                    let iy = oy * s.h - padding.h + ky
                    for kx in 0..<kernelSize.w {
                        let ix = ox * s.w - padding.w + kx
                        if iy >= 0 && iy < h && ix >= 0 && ix < w {
                            map.indices[o * taps + ky * kernelSize.w + kx] = Int64(base + iy * w + ix)
                            valid += 1
                        }
                    }
                }
                // PyTorch clips the window to the padded input for the divisor.
                let hEnd = Swift.min(oy * s.h - padding.h + kernelSize.h, h + padding.h)
                let wEnd = Swift.min(ox * s.w - padding.w + kernelSize.w, w + padding.w)
                let padded = (hEnd - (oy * s.h - padding.h)) * (wEnd - (ox * s.w - padding.w))
                let divisor = Float(countIncludePad ? padded : valid)
                for t in 0..<taps where map.indices[o * taps + t] >= 0 { map.weights[o * taps + t] = 1 / divisor }
                o += 1
            }
        }
    }
    return x.gatheringWeighted(map, shape: [n, c, oh, ow])
}

/// Adaptive average pooling; only the 1x1 output the zoo uses (global average) is supported.
public func adaptiveAvgPool2d(_ x: Tensor, outputSize: Int = 1) -> Tensor {
    requireNCHW(x, "adaptive_avg_pool2d")
    guard outputSize == 1 else { shapeFailure("adaptive_avg_pool2d: only outputSize 1 is supported, got \(outputSize)") }
    return x.mean(dims: [2, 3], keepDim: true)
}
