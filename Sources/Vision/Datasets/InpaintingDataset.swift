// Images with a square hole each (context encoders, context-conditional GANs).
import Autograd
import Foundation

/// Each example of `files` through `transform`, with its hole's top-left corner (x, y) as
/// the two label values: centred, or uniform in [0, size - hole) on each axis as the
/// reference draws it, from the example's own generator (so a resumed run draws the same).
public struct InpaintingDataset: Dataset {
    public let files: [URL]
    public let transform: ImageTransform
    public let holeSize: Int
    public let centred: Bool

    public init(files: [URL], holeSize: Int, centred: Bool, transform: ImageTransform) {
        self.files = files
        self.holeSize = holeSize
        self.centred = centred
        self.transform = transform
    }

    public var count: Int { files.count }

    public func source(of index: Int) -> String { files[index].path }

    public func example(at index: Int, generator: RandomGenerator) throws -> Example {
        let image = transform.apply(try Image(contentsOf: files[index]), generator: generator)
        guard image.width > holeSize, image.height > holeSize else {
            throw DataError(.mismatch, file: files[index].path, "is \(image.width)x\(image.height) after its transform, too small for a \(holeSize)-pixel hole")
        }
        let x = centred ? (image.width - holeSize) / 2 : generator.nextInt(below: image.width - holeSize)
        let y = centred ? (image.height - holeSize) / 2 : generator.nextInt(below: image.height - holeSize)
        return Example(images: [image], labels: [Float(x), Float(y)])
    }
}
