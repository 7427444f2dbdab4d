// MNIST-M as a Dataset: RGB images through an optional transform, the digit as the label.
import Autograd
import Foundation

/// MNIST-M examples: one RGB image (28x28 unless transformed) and the digit as the label.
public struct MNISTMDataset: Dataset {
    public let data: MNISTM
    public let transform: ImageTransform

    /// Loads a split from `directory`, or from the `mnistm` folder `DataLocation` finds.
    public init(split: MNIST.Split = .train, directory: URL? = nil, transform: ImageTransform = ImageTransform()) throws {
        data = try MNISTM(split: split, directory: directory)
        self.transform = transform
    }

    public var count: Int { data.count }

    public func source(of index: Int) -> String { "MNIST-M example \(index)" }

    public func example(at index: Int, generator: RandomGenerator) throws -> Example {
        Example(images: [transform.apply(try data.image(at: index), generator: generator)], labels: [Float(data.labels[index])])
    }
}
