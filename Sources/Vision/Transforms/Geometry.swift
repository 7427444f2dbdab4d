// Crops and flips on 8-bit images.

extension Image {
    /// The `width` x `height` region whose top-left corner is (`left`, `top`). Parts outside
    /// the image are black, as torchvision pads a crop larger than the image.
    public func cropped(left: Int, top: Int, width newWidth: Int, height newHeight: Int) -> Image {
        precondition(newWidth > 0 && newHeight > 0, "cropped: size must be positive")
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * channels)
        let c = channels
        let x0 = max(left, 0), x1 = min(left + newWidth, width)
        let y0 = max(top, 0), y1 = min(top + newHeight, height)
        guard x1 > x0, y1 > y0 else { return Image(width: newWidth, height: newHeight, channels: c, pixels: out) }
        let span = (x1 - x0) * c
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in y0..<y1 {
                    let from = (y * width + x0) * c
                    let to = ((y - top) * newWidth + (x0 - left)) * c
                    dst.baseAddress!.advanced(by: to).update(from: src.baseAddress!.advanced(by: from), count: span)
                }
            }
        }
        return Image(width: newWidth, height: newHeight, channels: c, pixels: out)
    }

    /// The central `width` x `height` region, placed as torchvision's CenterCrop places it
    /// (offset = round((size - crop) / 2), with Python's round-half-to-even).
    public func centerCropped(width newWidth: Int, height newHeight: Int) -> Image {
        cropped(left: Image.centeredOffset(width - newWidth), top: Image.centeredOffset(height - newHeight),
                width: newWidth, height: newHeight)
    }

    /// round(excess / 2) with ties to even, as Python 3's round.
    static func centeredOffset(_ excess: Int) -> Int {
        let half = Double(excess) / 2
        return Int(half.rounded(.toNearestOrEven))
    }

    /// The image mirrored left to right.
    public func flippedHorizontally() -> Image {
        var out = [UInt8](repeating: 0, count: pixels.count)
        let c = channels
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let row = y * width * c
                    for x in 0..<width {
                        let from = row + x * c, to = row + (width - 1 - x) * c
                        for ch in 0..<c { dst[to + ch] = src[from + ch] }
                    }
                }
            }
        }
        return Image(width: width, height: height, channels: c, pixels: out)
    }
}
