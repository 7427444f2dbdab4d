// Upsampling, padding and pixel shuffle: all fixed linear maps (nearest upsampling, padding
// and pixel shuffle have their own kernels; bilinear goes through index tables).
import CKernels

public enum UpsampleMode: String, Sendable { case nearest, bilinear }
public enum PadMode: String, Sendable { case zeros, constant, reflect, replicate }

/// Upsampling by an integer factor as torch.nn.Upsample (bilinear: align_corners=False).
public func upsample(_ x: Tensor, scaleFactor: Int, mode: UpsampleMode = .nearest) -> Tensor {
    requireNCHW(x, "upsample")
    guard scaleFactor >= 1 else { shapeFailure("upsample: scale factor must be >= 1, got \(scaleFactor)") }
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let oh = h * scaleFactor, ow = w * scaleFactor
    let planes = n * c
    switch mode {
    case .nearest:
        return x.upsampledNearest(scaleFactor)
    case .bilinear:
        // Source coordinate (dst + 0.5) / scale - 0.5, clamped at 0, as PyTorch.
        func taps(_ dst: Int, _ size: Int) -> (Int, Int, Float) {
            let src = Swift.max(Float(dst) + 0.5, 0) / Float(scaleFactor) - 0.5
            let s = Swift.max(src, 0)
            let i0 = Swift.min(Int(s), size - 1)
            let i1 = Swift.min(i0 + 1, size - 1)
            return (i0, i1, s - Float(i0))
        }
        let ys = (0..<oh).map { taps($0, h) }, xs = (0..<ow).map { taps($0, w) }
        var map = WeightedMap(indices: [Int64](repeating: 0, count: planes * oh * ow * 4),
                              weights: [Float](repeating: 0, count: planes * oh * ow * 4), taps: 4)
        var o = 0
        for plane in 0..<planes {
            let base = plane * h * w
            for (y0, y1, ly) in ys {
                for (x0, x1, lx) in xs {
                    let k = o * 4
                    map.indices[k] = Int64(base + y0 * w + x0); map.weights[k] = (1 - ly) * (1 - lx)
                    map.indices[k + 1] = Int64(base + y0 * w + x1); map.weights[k + 1] = (1 - ly) * lx
                    map.indices[k + 2] = Int64(base + y1 * w + x0); map.weights[k + 2] = ly * (1 - lx)
                    map.indices[k + 3] = Int64(base + y1 * w + x1); map.weights[k + 3] = ly * lx
                    o += 1
                }
            }
        }
        return x.gatheringWeighted(map, shape: [n, c, oh, ow])
    }
}

/// Pads the last two dimensions (torch.nn.functional.pad with a 4-tuple on NCHW).
public func pad2d(_ x: Tensor, left: Int, right: Int, top: Int, bottom: Int, mode: PadMode = .zeros,
                  value: Float = 0) -> Tensor {
    guard x.rank >= 2 else { shapeFailure("pad2d: expected at least 2 dimensions, got \(Shape.describe(x.shape))") }
    let h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
    guard left >= 0, right >= 0, top >= 0, bottom >= 0 else { shapeFailure("pad2d: negative padding (\(left), \(right), \(top), \(bottom))") }
    if mode == .reflect {
        guard left < w, right < w, top < h, bottom < h else {
            shapeFailure("pad2d: reflection padding (\(left), \(right), \(top), \(bottom)) must be smaller than the input \(h) x \(w)")
        }
    }
    if mode == .replicate, h == 0 || w == 0 { shapeFailure("pad2d: cannot replicate-pad an empty input") }
    let oh = h + top + bottom, ow = w + left + right
    func source(_ i: Int, _ size: Int) -> Int {
        switch mode {
        case .zeros, .constant: return (i < 0 || i >= size) ? -1 : i
        case .reflect: return i < 0 ? -i : (i >= size ? 2 * (size - 1) - i : i)
        case .replicate: return Swift.min(Swift.max(i, 0), size - 1)
        }
    }
    let tables = PadTables(rows: (0..<oh).map { Int32(source($0 - top, h)) },
                           columns: (0..<ow).map { Int32(source($0 - left, w)) },
                           planes: x.shape.dropLast(2).reduce(1, *), h: h, w: w, oh: oh, ow: ow, left: left)
    return x.padded(tables, value: value)
}

extension Tensor {
    /// Padding and its adjoint (each input element receives the gradients of the elements
    /// that read it); the adjoint's own adjoint is the padding with zeros.
    func padded(_ t: PadTables, value: Float) -> Tensor {
        Kernels.pad2d(self, t, value: value).recorded("pad2d", [self]) { g in [g.padAdjoint(t)] }
    }

    func padAdjoint(_ t: PadTables) -> Tensor {
        Kernels.pad2dAdjoint(self, t).recorded("pad2d_adjoint", [self]) { g in [g.padded(t, value: 0)] }
    }
}

/// [N, C*r*r, H, W] -> [N, C, H*r, W*r] as torch.nn.PixelShuffle.
public func pixelShuffle(_ x: Tensor, upscaleFactor r: Int) -> Tensor {
    requireNCHW(x, "pixel_shuffle")
    guard r >= 1, x.shape[1] % (r * r) == 0 else {
        shapeFailure("pixel_shuffle: channels \(x.shape[1]) of \(Shape.describe(x.shape)) not divisible by \(r * r)")
    }
    return x.pixelShuffled(r)
}

extension Tensor {
    /// Pixel shuffle is a permutation: its adjoint is its inverse, pixel unshuffle.
    func pixelShuffled(_ r: Int) -> Tensor {
        let (n, c, h, w) = (shape[0], shape[1] / (r * r), shape[2], shape[3])
        let out = Tensor.uninitialized([n, c, h * r, w * r])
        ck_pixel_shuffle(storage.pointer, n * c, h, w, r, out.storage.pointer)
        return out.recorded("pixel_shuffle", [self]) { g in [g.pixelUnshuffled(r)] }
    }

    func pixelUnshuffled(_ r: Int) -> Tensor {
        let (n, c, h, w) = (shape[0], shape[1], shape[2] / r, shape[3] / r)
        let out = Tensor.uninitialized([n, c * r * r, h, w])
        ck_pixel_unshuffle(storage.pointer, n * c, h, w, r, out.storage.pointer)
        return out.recorded("pixel_unshuffle", [self]) { g in [g.pixelShuffled(r)] }
    }

    /// Nearest upsampling of an NCHW tensor; its adjoint sums each s x s block.
    func upsampledNearest(_ s: Int) -> Tensor {
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let out = Tensor.uninitialized([n, c, h * s, w * s])
        ck_upsample_nearest(storage.pointer, n * c, h, w, s, out.storage.pointer)
        // A convolution after the upsampling keeps this small input instead of the s^2
        // times larger output, and upsamples again in its backward pass.
        out.recipe = { [source = self] in source.upsampledNearest(s) }
        return out.recorded("upsample_nearest", [self]) { g in [g.upsampleNearestAdjoint(s)] }
    }

    func upsampleNearestAdjoint(_ s: Int) -> Tensor {
        let (n, c, h, w) = (shape[0], shape[1], shape[2] / s, shape[3] / s)
        let out = Tensor.uninitialized([n, c, h, w])
        ck_upsample_nearest_adjoint(storage.pointer, n * c, h, w, s, out.storage.pointer)
        return out.recorded("upsample_nearest_backward", [self]) { g in [g.upsampledNearest(s)] }
    }
}
