// A single folder of images (no labels), as the unconditional GANs on photos use.
import Autograd
import Foundation

/// Every PNG/JPEG in one folder, in name order, decoded and transformed on demand.
public struct ImageFolderDataset: Dataset {
    public let files: [URL]
    public let transform: ImageTransform

    public init(directory: URL, transform: ImageTransform = ImageTransform()) throws {
        files = try ImageFiles.list(directory)
        self.transform = transform
    }

    /// The given files (a split of a folder).
    public init(files: [URL], transform: ImageTransform = ImageTransform()) {
        self.files = files
        self.transform = transform
    }

    public var count: Int { files.count }

    public func source(of index: Int) -> String { files[index].path }

    public func example(at index: Int, generator: RandomGenerator) throws -> Example {
        Example(images: [transform.apply(try Image(contentsOf: files[index]), generator: generator)])
    }
}
