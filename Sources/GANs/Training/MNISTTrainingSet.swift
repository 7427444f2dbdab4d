// MNIST held in memory as the reference scripts see it: resized to the model's image size
// (PIL-compatible bilinear on 8-bit images), scaled to [0, 1], normalised to [-1, 1].
// The resized images stay 8-bit (a quarter of the memory of floats; the values are exactly
// those of the reference's uint8 pipeline) and each batch is converted when it is served.
import Autograd
import Foundation
import Vision

public final class MNISTTrainingSet: @unchecked Sendable {
    /// count * size * size resized 8-bit pixels.
    let pixels: [UInt8]
    public let labels: [Int]
    public let imageSize: Int
    public var count: Int { labels.count }

    /// Loads a split from `directory` (the built-in copy when nil), optionally only the
    /// first `limit` images.
    public init(split: MNIST.Split = .train, directory: URL? = nil, imageSize: Int, limit: Int? = nil) throws {
        let mnist = try MNIST(split: split, directory: directory)
        precondition(imageSize > 0, "MNISTTrainingSet: image size must be positive")
        let n = Swift.min(limit ?? mnist.count, mnist.count)
        let size = imageSize
        if size == mnist.rows && size == mnist.columns {
            pixels = Array(mnist.pixels[0..<(n * size * size)])
        } else {
            var out = [UInt8](repeating: 0, count: n * size * size)
            for i in 0..<n {
                let img = mnist.image(at: i).resized(width: size, height: size, filter: .bilinear)
                out.replaceSubrange((i * size * size)..<((i + 1) * size * size), with: img.pixels)
            }
            pixels = out
        }
        labels = mnist.labels.prefix(n).map { Int($0) }
        self.imageSize = size
    }

    /// The order of epoch `epoch`: a permutation that depends only on the seed and epoch,
    /// so a resumed run sees the same batches as an uninterrupted one.
    public func order(epoch: Int, seed: UInt64) -> [Int] {
        RandomGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(epoch) &+ 1).permutation(count)
    }

    /// Batches per epoch (the last one may be smaller, as PyTorch's DataLoader).
    public func batchesPerEpoch(batchSize: Int) -> Int { (count + batchSize - 1) / batchSize }

    /// ToTensor then Normalize(0.5, 0.5) of each 8-bit value, v / 255 * 2 - 1 in the same
    /// float steps, looked up: two divisions per pixel were ~1% of an MLP step.
    private static let normalized: [Float] = (0..<256).map { (Float($0) / 255 - 0.5) / 0.5 }

    /// Batch `index` of an epoch's order, copied into one contiguous tensor.
    public func batch(_ index: Int, order: [Int], batchSize: Int) -> (images: Tensor, labels: [Int]) {
        let start = index * batchSize, end = Swift.min(start + batchSize, count)
        let per = imageSize * imageSize
        let out = Tensor.zeros([end - start, 1, imageSize, imageSize])
        let dst = out.storage.pointer
        var labels = [Int]()
        labels.reserveCapacity(end - start)
        pixels.withUnsafeBufferPointer { src in
            Self.normalized.withUnsafeBufferPointer { value in
                for (row, i) in order[start..<end].enumerated() {
                    for j in 0..<per { dst[row * per + j] = value[Int(src[i * per + j])] }
                }
            }
        }
        for i in order[start..<end] { labels.append(self.labels[i]) }
        return (out, labels)
    }
}
