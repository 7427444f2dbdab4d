// Images with a square hole each (context encoders, context-conditional GANs).
import Autograd
import Foundation

/// Each image of a folder with its hole's top-left corner (x, y) as the two label values:
/// centred, or uniform in [0, size - hole) on each axis as the reference draws it, from the
/// example's own generator (so a resumed run draws the same).
public struct InpaintingDataset: Dataset {
    public let images: ImageFolderDataset
    public let holeSize: Int
    public let centred: Bool

    public init(_ images: ImageFolderDataset, holeSize: Int, centred: Bool) {
        self.images = images
        self.holeSize = holeSize
        self.centred = centred
    }

    public var count: Int { images.count }

    public func source(of index: Int) -> String { images.source(of: index) }

    public func example(at index: Int, generator: RandomGenerator) throws -> Example {
        let image = try images.example(at: index, generator: generator).images[0]
        guard image.width > holeSize, image.height > holeSize else {
            throw DataError(.mismatch, file: source(of: index), "is \(image.width)x\(image.height) after its transform, too small for a \(holeSize)-pixel hole")
        }
        let x = centred ? (image.width - holeSize) / 2 : generator.nextInt(below: image.width - holeSize)
        let y = centred ? (image.height - holeSize) / 2 : generator.nextInt(below: image.height - holeSize)
        return Example(images: [image], labels: [Float(x), Float(y)])
    }
}
