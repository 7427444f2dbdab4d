// An 8-bit image in memory: rows top to bottom, channels interleaved (HWC), as decoders
// produce and as PIL holds them. Transforms work on this form; `FloatImage` is the CHW
// float form that batches are made of.

/// An 8-bit image with 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) interleaved channels.
public struct Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    /// `height * width * channels` bytes, row-major, channels interleaved.
    public var pixels: [UInt8]

    /// An image over existing pixels; the count must match the dimensions.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && (1...4).contains(channels), "Image: bad dimensions \(width)x\(height)x\(channels)")
        precondition(pixels.count == width * height * channels, "Image: \(pixels.count) bytes for \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A black (all-zero) image.
    public init(width: Int, height: Int, channels: Int) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: 0, count: width * height * channels))
    }

    /// The value of channel `c` at column `x`, row `y` (for tests, not hot loops).
    public subscript(x: Int, y: Int, c: Int) -> UInt8 {
        pixels[(y * width + x) * channels + c]
    }
}
