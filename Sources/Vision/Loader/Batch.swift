// A batch as training code wants it: one contiguous NCHW tensor per image slot.
import Autograd

/// A batch of examples stacked into contiguous tensors.
public struct Batch: @unchecked Sendable {
    /// One tensor per image slot of the examples ([A, B] for paired data), each [N, C, H, W].
    public let images: [Tensor]
    /// [N, k] label values (k = 1 for a class index), or nil when the dataset has none.
    public let labels: Tensor?
    /// The dataset indices in this batch, in order.
    public let indices: [Int]

    /// The number of examples.
    public var count: Int { indices.count }

    /// The class indices when each example has one label value (e.g. MNIST digits).
    public var classLabels: [Int] {
        guard let labels, labels.shape.count == 2, labels.shape[1] == 1 else { return [] }
        return labels.scalars.map { Int($0) }
    }

    /// Stacks examples; all must have the same number of images, shapes and label counts.
    static func stack(_ examples: [Example], indices: [Int], describe: (Int) -> String) throws -> Batch {
        let first = examples[0]
        var images = [Tensor]()
        for slot in 0..<first.images.count {
            let shape = first.images[slot].shape
            for (i, example) in examples.enumerated() {
                guard example.images.count == first.images.count, example.images[slot].shape == shape else {
                    let got = example.images.count > slot ? "\(example.images[slot].shape)" : "no image \(slot)"
                    throw DataError(.mismatch, file: describe(indices[i]),
                                    "image shape \(got) differs from \(shape) of the batch's first example; add a resize/crop transform")
                }
            }
            images.append(Tensor(shape: [examples.count] + shape, concatenating: examples.map { $0.images[slot].values }))
        }
        var labels: Tensor?
        let k = first.labels.count
        if k > 0 {
            var values = [Float]()
            values.reserveCapacity(k * examples.count)
            for (i, example) in examples.enumerated() {
                guard example.labels.count == k else {
                    throw DataError(.mismatch, file: describe(indices[i]), "has \(example.labels.count) labels, the batch has \(k)")
                }
                values += example.labels
            }
            labels = Tensor(shape: [examples.count, k], scalars: values)
        }
        return Batch(images: images, labels: labels, indices: indices)
    }
}
