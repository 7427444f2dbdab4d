// MNIST as a Dataset: images through an optional transform, the digit as the label.
import Autograd
import Foundation

/// MNIST examples: one gray image (28x28 unless transformed) and the digit as the label.
public struct MNISTDataset: Dataset {
    public let data: MNIST
    public let transform: ImageTransform

    /// Loads a split (from the built-in copy when `directory` is nil).
    public init(split: MNIST.Split = .train, directory: URL? = nil, transform: ImageTransform = ImageTransform()) throws {
        data = try MNIST(split: split, directory: directory)
        self.transform = transform
    }

    public var count: Int { data.count }

    public func source(of index: Int) -> String { "MNIST example \(index)" }

    public func example(at index: Int, generator: RandomGenerator) throws -> Example {
        Example(images: [transform.apply(data.image(at: index), generator: generator)], labels: [Float(data.labels[index])])
    }
}
