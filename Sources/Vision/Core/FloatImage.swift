// The float form of an image that batches are made of: CHW, as PyTorch's ToTensor gives.

/// A float image laid out channel by channel (CHW), usually in [0, 1] or normalised.
public struct FloatImage: Sendable, Equatable {
    public let channels: Int
    public let height: Int
    public let width: Int
    /// `channels * height * width` values.
    public var values: [Float]

    public init(channels: Int, height: Int, width: Int, values: [Float]) {
        precondition(values.count == channels * height * width, "FloatImage: \(values.count) values for \(channels)x\(height)x\(width)")
        self.channels = channels
        self.height = height
        self.width = width
        self.values = values
    }

    /// The shape as a tensor would have it: [C, H, W].
    public var shape: [Int] { [channels, height, width] }
}
