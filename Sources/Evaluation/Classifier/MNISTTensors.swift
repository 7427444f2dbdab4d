// An MNIST split as one tensor in the GANs' range, [-1, 1], with its labels.
import Autograd
import Foundation
import Vision

public struct MNISTTensors: @unchecked Sendable {
    /// [count, 1, 28, 28] in [-1, 1].
    public let images: Tensor
    public let labels: [Int]
    public var count: Int { labels.count }

    /// The split from `directory` (the built-in copy when nil), optionally only the first `limit`.
    public init(split: MNIST.Split, directory: URL? = nil, limit: Int? = nil) throws {
        let mnist = try MNIST(split: split, directory: directory)
        let n = Swift.min(limit ?? mnist.count, mnist.count)
        let per = mnist.rows * mnist.columns
        images = Tensor(shape: [n, 1, mnist.rows, mnist.columns], bytes: mnist.pixels.prefix(n * per),
                        through: Self.pixelValues)
        labels = mnist.labels.prefix(n).map { Int($0) }
    }

    /// The value of each 8-bit pixel, v / 127.5 - 1 in float32.
    private static let pixelValues: [Float] = (0..<256).map { Float($0) / 127.5 - 1 }

    /// The images at `indices`, copied into one contiguous tensor.
    public func batch(_ indices: ArraySlice<Int>) -> (images: Tensor, labels: [Int]) {
        (images.indexSelect(dim: 0, indices: Array(indices)), indices.map { labels[$0] })
    }
}
