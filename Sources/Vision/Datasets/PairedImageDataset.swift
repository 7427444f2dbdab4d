// pix2pix's paired layout: each file is A and B side by side (2w x h), split in the middle.
import Autograd
import Foundation

/// Paired A|B images from `root/split/`; each example's images are [A, B] (or [B, A] for
/// `.bToA`), transformed with the same random crop and flip.
public struct PairedImageDataset: Dataset {
    /// Which half is the input.
    public enum Direction: Sendable { case aToB, bToA }

    public let files: [URL]
    public let transform: ImageTransform
    public let direction: Direction

    public init(root: URL, split: String = "train", direction: Direction = .aToB, transform: ImageTransform = ImageTransform()) throws {
        files = try ImageFiles.list(root.appendingPathComponent(split))
        self.transform = transform
        self.direction = direction
    }

    public var count: Int { files.count }

    public func source(of index: Int) -> String { files[index].path }

    public func example(at index: Int, generator: RandomGenerator) throws -> Example {
        let (a, b) = try PairedImageDataset.halves(of: try Image(contentsOf: files[index]), file: files[index].path)
        let pair = direction == .aToB ? [a, b] : [b, a]
        return Example(images: transform.apply(pair, generator: generator))
    }

    /// The left and right halves. Any even width works (the halves need not be square); an
    /// odd width has no middle and is an error.
    public static func halves(of image: Image, file: String) throws -> (Image, Image) {
        guard image.width >= 2, image.width % 2 == 0 else {
            throw DataError(.mismatch, file: file,
                            "paired A|B image is \(image.width)x\(image.height): its width is odd, so it cannot be split into two equal halves")
        }
        let half = image.width / 2
        return (image.cropped(left: 0, top: 0, width: half, height: image.height),
                image.cropped(left: half, top: 0, width: half, height: image.height))
    }
}
