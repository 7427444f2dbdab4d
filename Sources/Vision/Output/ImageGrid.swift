// Sample grids with torchvision's make_grid/save_image rules (from its documentation and
// behaviour): 1-channel images become 3-channel; with `normalize` the whole batch's min..max
// maps to 0..1 (clamp, subtract min, divide by max(max - min, 1e-5)); a single image is
// returned without padding; otherwise images go row by row, `nrow` per row, with `padding`
// pixels of `padValue` around and between them; saving computes uint8 as
// trunc(clamp(x * 255 + 0.5, 0, 255)) in float32.
import Autograd
import Foundation

/// Arranges a batch [N, C, H, W] (or one image [C, H, W] / [H, W]) into a grid tensor
/// [C', H', W'] exactly as torchvision's make_grid does (C' = 3 when C = 1).
public func makeImageGrid(_ tensor: Tensor, nrow: Int = 8, padding: Int = 2, normalize: Bool = false,
                          padValue: Float = 0) -> Tensor {
    precondition(nrow > 0 && padding >= 0, "makeImageGrid: nrow must be positive and padding not negative")
    var shape = tensor.shape
    switch shape.count {
    case 2: shape = [1, 1] + shape
    case 3: shape = [1] + shape
    case 4: break
    default: preconditionFailure("makeImageGrid: expected a [N,C,H,W], [C,H,W] or [H,W] tensor, got \(shape)")
    }
    let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
    return tensor.withUnsafeElements { source in
        arrangeGrid(source, n: n, c: c, h: h, w: w, nrow: nrow, padding: padding, normalize: normalize, padValue: padValue)
    }
}

/// makeImageGrid on the batch's elements, read in place.
private func arrangeGrid(_ source: UnsafeBufferPointer<Float>, n: Int, c: Int, h: Int, w: Int, nrow: Int, padding: Int,
                         normalize: Bool, padValue: Float) -> Tensor {
    let outChannels = c == 1 ? 3 : c
    let planeSize = h * w
    var low: Float = 0, high: Float = 1
    if normalize {
        low = .infinity; high = -.infinity
        for v in source {
            low = min(low, v)
            high = max(high, v)
        }
    }
    // torchvision subtracts in Python's double, then divides the float32 data by it.
    let scale = Float(max(Double(high) - Double(low), 1e-5))
    // The value of channel ch of image k at (y, x), normalised when asked.
    @inline(__always) func value(_ k: Int, _ ch: Int, _ i: Int) -> Float {
        let v = source[(k * c + (c == 1 ? 0 : ch)) * planeSize + i]
        guard normalize else { return v }
        return (min(max(v, low), high) - low) / scale
    }
    if n == 1 {
        return Tensor(shape: [outChannels, h, w]) { dst in
            for ch in 0..<outChannels { for i in 0..<planeSize { dst[ch * planeSize + i] = value(0, ch, i) } }
        }
    }
    let columns = min(nrow, n)
    let rows = (n + columns - 1) / columns
    let cellHeight = h + padding, cellWidth = w + padding
    let gridHeight = cellHeight * rows + padding, gridWidth = cellWidth * columns + padding
    return Tensor(shape: [outChannels, gridHeight, gridWidth], filledWith: padValue) { dst in
        for k in 0..<n {
            let top = (k / columns) * cellHeight + padding, left = (k % columns) * cellWidth + padding
            for ch in 0..<outChannels {
                for y in 0..<h {
                    let rowBase = (ch * gridHeight + top + y) * gridWidth + left
                    for x in 0..<w { dst[rowBase + x] = value(k, ch, y * w + x) }
                }
            }
        }
    }
}

/// An 8-bit image from a [C, H, W] tensor of values in 0...1, as save_image converts:
/// trunc(clamp(x * 255 + 0.5, 0, 255)).
public func imageFromTensor(_ tensor: Tensor) -> Image {
    precondition(tensor.shape.count == 3 && (1...4).contains(tensor.shape[0]), "imageFromTensor: expected [C, H, W] with C in 1...4")
    let (c, h, w) = (tensor.shape[0], tensor.shape[1], tensor.shape[2])
    var pixels = [UInt8](repeating: 0, count: c * h * w)
    tensor.withUnsafeElements { src in
        pixels.withUnsafeMutableBufferPointer { dst in
            for ch in 0..<c {
                for i in 0..<(h * w) {
                    let scaled: Float = src[ch * h * w + i] * 255
                    let v: Float = scaled + 0.5
                    dst[i * c + ch] = v.isNaN ? 0 : UInt8(min(max(v, 0), 255))
                }
            }
        }
    }
    return Image(width: w, height: h, channels: c, pixels: pixels)
}

/// Writes a batch as one PNG grid, as torchvision's save_image (atomic write).
public func saveImageGrid(_ tensor: Tensor, to url: URL, nrow: Int = 8, padding: Int = 2, normalize: Bool = false,
                          padValue: Float = 0) throws {
    let grid = makeImageGrid(tensor, nrow: nrow, padding: padding, normalize: normalize, padValue: padValue)
    try imageFromTensor(grid).writePNG(to: url)
}
