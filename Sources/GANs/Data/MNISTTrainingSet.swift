// MNIST held in memory as the reference scripts see it: resized to the model's image size
// (PIL-compatible bilinear on 8-bit images), scaled to [0, 1], normalised to [-1, 1].
// The resized images stay 8-bit (a quarter of the memory of floats; the values are exactly
// those of the reference's uint8 pipeline) and each batch is converted when it is served.
import Autograd
import Foundation
import Vision

public final class MNISTTrainingSet: @unchecked Sendable {
    /// The images' 8-bit pixels, run-length coded: MNIST is 81% background, and the plain
    /// 47 MB of the training split were a sixth of clustergan's resident memory. Per image,
    /// pairs of (background pixels to skip, count of literal pixels) each up to 255, then
    /// the literals; `offsets[i]` is where image i starts.
    let codes: [UInt8]
    let offsets: [Int]
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
        var codes = [UInt8](), offsets = [Int]()
        offsets.reserveCapacity(n + 1)
        if size == mnist.rows && size == mnist.columns {
            mnist.pixels.withUnsafeBufferPointer { all in
                for i in 0..<n {
                    offsets.append(codes.count)
                    Self.encode(UnsafeBufferPointer(rebasing: all[(i * size * size)..<((i + 1) * size * size)]), into: &codes)
                }
            }
        } else {
            for i in 0..<n {
                offsets.append(codes.count)
                let img = mnist.image(at: i).resized(width: size, height: size, filter: .bilinear)
                img.pixels.withUnsafeBufferPointer { Self.encode($0, into: &codes) }
            }
        }
        offsets.append(codes.count)
        self.codes = codes
        self.offsets = offsets
        labels = mnist.labels.prefix(n).map { Int($0) }
        self.imageSize = size
    }

    /// Appends one image's run-length code.
    static func encode(_ image: UnsafeBufferPointer<UInt8>, into codes: inout [UInt8]) {
        var i = 0
        while i < image.count {
            var skip = 0
            while skip < 255 && i + skip < image.count && image[i + skip] == 0 { skip += 1 }
            i += skip
            var literals = 0
            while literals < 255 && i + literals < image.count && image[i + literals] != 0 { literals += 1 }
            codes.append(UInt8(skip))
            codes.append(UInt8(literals))
            codes.append(contentsOf: image[i..<(i + literals)])
            i += literals
        }
    }

    /// The 8-bit pixels of image `index` (decoded).
    public func pixels(of index: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: imageSize * imageSize)
        codes.withUnsafeBufferPointer { code in
            Self.forEachLiteral(code, offsets[index]..<offsets[index + 1]) { out[$0] = $1 }
        }
        return out
    }

    /// An image of `count` pixels from its run-length code.
    static func decode(_ code: [UInt8], count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        code.withUnsafeBufferPointer { Self.forEachLiteral($0, 0..<code.count) { out[$0] = $1 } }
        return out
    }

    /// Calls `body(position, pixel)` for each literal pixel of the code in `range` (the
    /// rest of the image is background).
    @inline(__always)
    static func forEachLiteral(_ code: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ body: (Int, UInt8) -> Void) {
        var k = range.lowerBound, position = 0
        while k < range.upperBound {
            position += Int(code[k])
            let literals = Int(code[k + 1])
            for j in 0..<literals { body(position + j, code[k + 2 + j]) }
            position += literals
            k += 2 + literals
        }
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
        let out = Tensor(shape: [end - start, 1, imageSize, imageSize], filledWith: Self.normalized[0]) { dst in
            codes.withUnsafeBufferPointer { code in
                Self.normalized.withUnsafeBufferPointer { value in
                    for (row, i) in order[start..<end].enumerated() {
                        let image = dst.baseAddress! + row * per   // background already
                        Self.forEachLiteral(code, offsets[i]..<offsets[i + 1]) { image[$0] = value[Int($1)] }
                    }
                }
            }
        }
        var labels = [Int]()
        labels.reserveCapacity(end - start)
        for i in order[start..<end] { labels.append(self.labels[i]) }
        return (out, labels)
    }
}
