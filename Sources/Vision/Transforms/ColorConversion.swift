// Channel conversions with Pillow's rules: RGB -> L uses ITU-R 601-2 luma in 16-bit fixed
// point (L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16); converting away alpha drops it.

extension Image {
    /// The image with one gray channel (alpha dropped).
    public func grayscale() -> Image {
        if channels == 1 { return self }
        var out = [UInt8](repeating: 0, count: width * height)
        let c = channels, n = width * height
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                if c <= 2 {
                    for i in 0..<n { dst[i] = src[i * c] }
                } else {
                    for i in 0..<n {
                        let r = UInt32(src[i * c]), g = UInt32(src[i * c + 1]), b = UInt32(src[i * c + 2])
                        dst[i] = UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
                    }
                }
            }
        }
        return Image(width: width, height: height, channels: 1, pixels: out)
    }

    /// The image with three RGB channels (gray replicated, alpha dropped).
    public func rgb() -> Image {
        if channels == 3 { return self }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let c = channels, n = width * height
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    if c <= 2 {
                        let v = src[i * c]
                        dst[3 * i] = v; dst[3 * i + 1] = v; dst[3 * i + 2] = v
                    } else {
                        dst[3 * i] = src[i * c]; dst[3 * i + 1] = src[i * c + 1]; dst[3 * i + 2] = src[i * c + 2]
                    }
                }
            }
        }
        return Image(width: width, height: height, channels: 3, pixels: out)
    }
}
