// High- and low-resolution pairs made on the fly from any image dataset (SRGAN, ESRGAN).
import Autograd
import Foundation

/// Each image of a folder as [high, low]: the high-resolution image through the folder's
/// transform, and a copy `factor` times smaller made from its 8-bit pixels by bicubic
/// resizing (the paper's degradation; the reference resizes the original twice instead,
/// which does not make the low-resolution image a downsampled copy of the target).
public struct SuperResolutionDataset: Dataset {
    public let images: ImageFolderDataset
    public let factor: Int

    public init(_ images: ImageFolderDataset, factor: Int) {
        precondition(factor >= 1, "SuperResolutionDataset: factor must be positive")
        self.images = images
        self.factor = factor
    }

    public var count: Int { images.count }

    public func source(of index: Int) -> String { images.source(of: index) }

    public func example(at index: Int, generator: RandomGenerator) throws -> Example {
        let files = images.files, transform = images.transform
        let high = transform.applySteps([try Image(contentsOf: files[index])], generator: generator)[0]
        guard high.width % factor == 0, high.height % factor == 0 else {
            throw DataError(.mismatch, file: files[index].path,
                            "the high-resolution image is \(high.width)x\(high.height), not divisible by the factor \(factor)")
        }
        let low = high.resized(width: high.width / factor, height: high.height / factor, filter: .bicubic)
        return Example(images: [high, low].map { $0.floatCHW(mean: transform.mean, std: transform.std) })
    }
}
