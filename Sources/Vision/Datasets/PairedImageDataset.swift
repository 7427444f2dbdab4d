// pix2pix's paired layout: each file is A and B side by side (2w x h), split in the middle.
import Autograd
import Foundation

/// Paired A|B images from `root/<split>/` (several splits in turn); each example's images are
/// [A, B] (or [B, A] for `.bToA`). Aligned pairs share their random crop and flip; with
/// `.independent`, B is the other half of a file drawn at random, so a paired set serves
/// unpaired models as two domains.
public struct PairedImageDataset: Dataset {
    /// Which half is the input.
    public enum Direction: Sendable { case aToB, bToA }
    public enum Pairing: Sendable { case aligned, independent }

    public let files: [URL]
    public let transform: ImageTransform
    public let direction: Direction
    public let pairing: Pairing

    public init(root: URL, splits: [String] = ["train"], direction: Direction = .aToB, pairing: Pairing = .aligned,
                transform: ImageTransform = ImageTransform()) throws {
        files = try splits.flatMap { try ImageFiles.list(root.appendingPathComponent($0)) }
        self.transform = transform
        self.direction = direction
        self.pairing = pairing
    }

    public init(root: URL, split: String, direction: Direction = .aToB, transform: ImageTransform = ImageTransform()) throws {
        try self.init(root: root, splits: [split], direction: direction, transform: transform)
    }

    public var count: Int { files.count }

    public func source(of index: Int) -> String { files[index].path }

    public func example(at index: Int, generator: RandomGenerator) throws -> Example {
        var (a, b) = try halves(index)
        if pairing == .independent {
            b = try halves(generator.nextInt(below: files.count)).b
            return Example(images: [transform.apply(a, generator: generator), transform.apply(b, generator: generator)])
        }
        return Example(images: transform.apply([a, b], generator: generator))
    }

    /// The input and output halves of file `index`, in the dataset's direction.
    func halves(_ index: Int) throws -> (a: Image, b: Image) {
        let (left, right) = try PairedImageDataset.halves(of: try Image(contentsOf: files[index]), file: files[index].path)
        return direction == .aToB ? (left, right) : (right, left)
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
