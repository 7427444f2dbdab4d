// MNIST held in memory as the reference scripts see it: resized to the model's image size
// (PIL-compatible bilinear on 8-bit images), scaled to [0, 1], normalised to [-1, 1].
import Autograd
import Foundation
import Vision

public final class MNISTTrainingSet: @unchecked Sendable {
    /// [count, 1, size, size] in [-1, 1].
    public let images: Tensor
    public let labels: [Int]
    public let imageSize: Int
    public var count: Int { labels.count }

    /// Loads a split from `directory` (the built-in copy when nil), optionally only the
    /// first `limit` images.
    public init(split: MNIST.Split = .train, directory: URL? = nil, imageSize: Int, limit: Int? = nil) throws {
        let mnist = try MNIST(split: split, directory: directory)
        let n = Swift.min(limit ?? mnist.count, mnist.count)
        let size = imageSize
        let t = Tensor.zeros([n, 1, size, size])
        let p = t.storage.pointer
        for i in 0..<n {
            var img = mnist.image(at: i)
            if img.width != size || img.height != size { img = img.resized(width: size, height: size, filter: .bilinear) }
            let base = i * size * size
            img.pixels.withUnsafeBufferPointer { px in
                for j in 0..<(size * size) { p[base + j] = Float(px[j]) / 255 * 2 - 1 }
            }
        }
        images = t
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

    /// Batch `index` of an epoch's order, copied into one contiguous tensor.
    public func batch(_ index: Int, order: [Int], batchSize: Int) -> (images: Tensor, labels: [Int]) {
        let start = index * batchSize, end = Swift.min(start + batchSize, count)
        let per = imageSize * imageSize
        let out = Tensor.zeros([end - start, 1, imageSize, imageSize])
        let src = images.storage.pointer, dst = out.storage.pointer
        var labels = [Int]()
        labels.reserveCapacity(end - start)
        for (row, i) in order[start..<end].enumerated() {
            (dst + row * per).update(from: src + i * per, count: per)
            labels.append(self.labels[i])
        }
        return (out, labels)
    }
}
