// MNIST in memory: all images of a split as one byte array plus labels.
import Foundation

/// One MNIST split held in memory as raw bytes (28x28 gray, 0 = background).
public struct MNIST: Sendable {
    /// The two standard splits.
    public enum Split: String, Sendable {
        case train, test
        /// The standard base names of the image and label files.
        var fileNames: (images: String, labels: String) {
            switch self {
            case .train: return ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
            case .test: return ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
            }
        }
    }

    public let count: Int
    public let rows: Int
    public let columns: Int
    /// `count * rows * columns` bytes, image after image.
    public let pixels: [UInt8]
    /// Class labels 0...9.
    public let labels: [UInt8]

    /// Loads a split from `directory` (the built-in copy when nil). Each file may be
    /// gzipped (`name.gz`) or plain (`name`).
    public init(split: Split, directory: URL? = nil) throws {
        let dir = try directory ?? MNISTLocation.builtInDirectory()
        let names = split.fileNames
        let imageURL = try MNISTLocation.existingFile(names.images, in: dir)
        let labelURL = try MNISTLocation.existingFile(names.labels, in: dir)
        let images = try IDXArray(contentsOf: imageURL)
        let labels = try IDXArray(contentsOf: labelURL)
        guard images.dimensions.count == 3 else {
            throw DataError(.mismatch, file: imageURL.path, "expected a 3-D IDX array of images, found \(images.dimensions.count)-D")
        }
        guard labels.dimensions.count == 1 else {
            throw DataError(.mismatch, file: labelURL.path, "expected a 1-D IDX array of labels, found \(labels.dimensions.count)-D")
        }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DataError(.mismatch, file: labelURL.path,
                            "holds \(labels.dimensions[0]) labels but \(imageURL.lastPathComponent) holds \(images.dimensions[0]) images")
        }
        if let bad = labels.bytes.firstIndex(where: { $0 > 9 }) {
            throw DataError(.corrupt, file: labelURL.path, "label \(labels.bytes[bad]) at index \(bad) is not a digit 0-9")
        }
        count = images.dimensions[0]
        rows = images.dimensions[1]
        columns = images.dimensions[2]
        pixels = images.bytes
        self.labels = labels.bytes
    }

    /// Image `index` as an 8-bit gray `Image`.
    public func image(at index: Int) -> Image {
        let size = rows * columns
        return Image(width: columns, height: rows, channels: 1, pixels: Array(pixels[index * size ..< (index + 1) * size]))
    }
}
