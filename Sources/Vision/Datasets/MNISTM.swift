// MNIST-M as `gan data mnistm` writes it: per split an IDX image file of N x 28 x 28 x 3
// unsigned bytes (RGB, interleaved) and an IDX label file, with MNIST's file-name pattern
// (`train-images-idx4-ubyte`, `t10k-labels-idx1-ubyte`); a gzipped copy (`NAME.gz`) is read
// as well. Images are read from the file as they are asked for (a gzipped file is inflated
// into memory): the training split is 141 MB, which the process need not hold.
import Foundation

/// One MNIST-M split: 28x28 RGB images and their digits.
public struct MNISTM: Sendable {
    public static let side = 28
    /// The files a complete MNIST-M folder holds.
    public static let fileNames = ["train-images-idx4-ubyte", "train-labels-idx1-ubyte",
                                   "t10k-images-idx4-ubyte", "t10k-labels-idx1-ubyte", "SOURCE.md"]

    public let count: Int
    /// The images: `28 * 28 * 3` bytes each, rows top to bottom, RGB interleaved.
    public let images: IDXRecords
    /// Class labels 0...9 (those of the MNIST digits the images were made from).
    public let labels: [UInt8]

    /// The image and label file names of a split.
    public static func files(_ split: MNIST.Split) -> (images: String, labels: String) {
        split == .train ? ("train-images-idx4-ubyte", "train-labels-idx1-ubyte") : ("t10k-images-idx4-ubyte", "t10k-labels-idx1-ubyte")
    }

    /// Loads a split from `directory`, or from the `mnistm` folder `DataLocation` finds.
    public init(split: MNIST.Split, directory: URL? = nil) throws {
        guard let folder = directory ?? DataLocation.find("mnistm") else {
            throw DataError(.unreadable, file: "mnistm", "MNIST-M not found (looked in \(DataLocation.candidates(for: "mnistm").map(\.path).joined(separator: ", "))); build it with `gan data mnistm`")
        }
        let names = MNISTM.files(split)
        let imageURL = MNISTM.existingFile(names.images, in: folder), labelURL = MNISTM.existingFile(names.labels, in: folder)
        let images = try IDXRecords(contentsOf: imageURL)
        let labels = try IDXArray(contentsOf: labelURL)
        guard images.dimensions.count == 4, images.dimensions.dropFirst() == [MNISTM.side, MNISTM.side, 3] else {
            throw DataError(.mismatch, file: imageURL.path, "expected an IDX array of N x 28 x 28 x 3 images, found \(images.dimensions.map(String.init).joined(separator: " x "))")
        }
        guard labels.dimensions == [images.dimensions[0]] else {
            throw DataError(.mismatch, file: labelURL.path, "holds \(labels.dimensions.map(String.init).joined(separator: " x ")) labels but \(names.images) holds \(images.dimensions[0]) images")
        }
        if let bad = labels.bytes.firstIndex(where: { $0 > 9 }) {
            throw DataError(.corrupt, file: labelURL.path, "label \(labels.bytes[bad]) at index \(bad) is not a digit 0-9")
        }
        count = images.dimensions[0]
        self.images = images
        self.labels = labels.bytes
    }

    /// `name`, or `name.gz` when only that exists (a missing file is reported by its plain name).
    static func existingFile(_ name: String, in folder: URL) -> URL {
        let plain = folder.appendingPathComponent(name), gzipped = folder.appendingPathComponent(name + ".gz")
        return !FileManager.default.fileExists(atPath: plain.path) && FileManager.default.fileExists(atPath: gzipped.path) ? gzipped : plain
    }

    /// Image `index` as an 8-bit RGB `Image`.
    public func image(at index: Int) throws -> Image {
        Image(width: MNISTM.side, height: MNISTM.side, channels: 3, pixels: try images.records(index ..< index + 1))
    }
}

extension MNISTM {
    /// The first `count` images in rows of `perRow`, with `padding` black pixels around and
    /// between them (as torchvision's make_grid lays them out), for a look at the data.
    public func grid(count: Int = 100, perRow: Int = 10, padding: Int = 2) throws -> Image {
        let n = min(count, self.count), pixels = try images.records(0 ..< n), rows = (n + perRow - 1) / perRow, cell = MNISTM.side + padding
        let width = perRow * cell + padding, height = rows * cell + padding
        var grid = Image(width: width, height: height, channels: 3)
        let rowBytes = MNISTM.side * 3
        for k in 0..<n {
            let left = padding + (k % perRow) * cell, top = padding + (k / perRow) * cell
            for y in 0..<MNISTM.side {
                let from = (k * MNISTM.side + y) * rowBytes, to = ((top + y) * width + left) * 3
                grid.pixels.replaceSubrange(to ..< to + rowBytes, with: pixels[from ..< from + rowBytes])
            }
        }
        return grid
    }
}
