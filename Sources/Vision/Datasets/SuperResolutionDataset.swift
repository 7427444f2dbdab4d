// High- and low-resolution pairs made on the fly from any image dataset (SRGAN, ESRGAN).
import Autograd
import Foundation

/// Each example of `base`'s files as [high, low]: the high-resolution image through
/// `transform`'s 8-bit steps, and a copy `factor` times smaller made from it by bicubic
/// resizing (the paper's degradation; the reference resizes the original twice instead,
/// which does not make the low-resolution image a downsampled copy of the target).
public struct SuperResolutionDataset: Dataset {
    public let files: [URL]
    public let transform: ImageTransform
    public let factor: Int

    public init(files: [URL], factor: Int, transform: ImageTransform) {
        precondition(factor >= 1, "SuperResolutionDataset: factor must be positive")
        self.files = files
        self.factor = factor
        self.transform = transform
    }

    public var count: Int { files.count }

    public func source(of index: Int) -> String { files[index].path }

    public func example(at index: Int, generator: RandomGenerator) throws -> Example {
        let high = transform.applySteps([try Image(contentsOf: files[index])], generator: generator)[0]
        guard high.width % factor == 0, high.height % factor == 0 else {
            throw DataError(.mismatch, file: files[index].path,
                            "the high-resolution image is \(high.width)x\(high.height), not divisible by the factor \(factor)")
        }
        let low = high.resized(width: high.width / factor, height: high.height / factor, filter: .bicubic)
        return Example(images: [high, low].map { $0.floatCHW(mean: transform.mean, std: transform.std) })
    }
}
