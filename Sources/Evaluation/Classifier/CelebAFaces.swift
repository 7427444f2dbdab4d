// CelebA faces as the attribute classifier trains and is tested on them: stargan's
// evaluation preprocessing at 128 px (shorter side to 143, bicubic; the central 128; [-1, 1]),
// brought to the classifier's 64x64, with their 0/1 attributes. The last `heldOut` faces
// of the list are stargan's held-out faces: the classifier's test split, never trained on.
import Autograd
import Foundation
import Vision

public struct CelebAFaces: @unchecked Sendable {
    /// stargan holds out the last 2000 faces, as the reference; the classifier does the same.
    public static let heldOut = 2000

    public enum Split: Sendable { case train, test }

    /// [count, 3, 64, 64] in [-1, 1].
    public let images: Tensor
    /// Row i: the attributes of image i, 0 or 1, in `attributes`' order.
    public let labels: [[Float]]
    public let attributes: [String]
    public var count: Int { labels.count }

    /// The split of the CelebA folder `root` (the first `limit` faces of it when given).
    public init(root: URL, attributes: [String], split: Split, limit: Int? = nil) throws {
        let transform = ImageTransform([.rgb, .resizeShorterSide(143, filter: .bicubic), .centerCrop(width: 128, height: 128)],
                                       mean: [0.5], std: [0.5])
        let parts = try CelebADataset(root: root, attributes: attributes, transform: transform).split(heldOut: Self.heldOut)
        let faces = split == .train ? parts.kept : parts.heldOut
        let n = Swift.min(limit ?? faces.count, faces.count)
        var chunks: [Tensor] = []
        let fixed = RandomGenerator(seed: 0)
        for start in stride(from: 0, to: n, by: 64) {
            let end = Swift.min(start + 64, n)
            let examples = try (start..<end).map { try faces.example(at: $0, generator: fixed).images[0] }
            let batch = Tensor(shape: [examples.count, 3, 128, 128], scalars: examples.flatMap(\.values))
            chunks.append(try AttributeClassifier.fitted(batch))
        }
        images = chunks.isEmpty ? Tensor.zeros([0, 3, AttributeClassifier.inputSize, AttributeClassifier.inputSize]) : Tensor.concat(chunks, dim: 0)
        labels = Array(faces.attributes.prefix(n))
        self.attributes = attributes
    }

    /// The faces at `indices`, copied into one contiguous tensor, and their labels [n, k].
    public func batch(_ indices: ArraySlice<Int>) -> (images: Tensor, labels: Tensor) {
        (images.indexSelect(dim: 0, indices: Array(indices)),
         Tensor(shape: [indices.count, attributes.count], scalars: indices.flatMap { labels[$0] }))
    }
}
