// MNIST-M: the recipe on pixels worked out by hand, determinism for a seed, MNIST's labels,
// the files read back as built, a target that exists, and the reader's errors. Built from a
// small MNIST (the first digits of the built-in copy) and generated "photos", so it is fast.
import Autograd
import Foundation
import XCTest
@testable import Vision

final class MNISTMTests: XCTestCase {
    /// A folder with the first `train` / `test` digits of MNIST as IDX files, and the digits.
    private func smallMNIST(train: Int, test: Int) throws -> (URL, MNIST, MNIST) {
        let folder = try makeTemporaryFolder(self, "mnist")
        for (split, n) in [(MNIST.Split.train, train), (.test, test)] {
            let full = try MNIST(split: split)
            let names = split == .train ? ("train-images-idx3-ubyte", "train-labels-idx1-ubyte") : ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
            try MNISTMWriter.writeIDX(Array(full.pixels.prefix(n * 784)), dimensions: [n, 28, 28], to: folder.appendingPathComponent(names.0))
            try MNISTMWriter.writeIDX(Array(full.labels.prefix(n)), dimensions: [n], to: folder.appendingPathComponent(names.1))
        }
        return (folder, try MNIST(split: .train, directory: folder), try MNIST(split: .test, directory: folder))
    }

    /// Three generated RGB photos of different sizes, as PNGs.
    private func photoFolder() throws -> URL {
        let folder = try makeTemporaryFolder(self, "photos")
        for (k, (w, h)) in [(40, 30), (28, 28), (61, 45)].enumerated() {
            try writePNG(patternImage(width: w, height: h, seed: k), folder, "\(k).png")
        }
        return folder
    }

    func testRecipeOnHandPickedPixels() throws {
        // A 30x29 photo with known values and two 28x28 digits with a few strokes.
        let photo = patternImage(width: 30, height: 29)
        var digits = [UInt8](repeating: 0, count: 2 * 784)
        digits[0] = 255                    // digit 0, (x 0, y 0)
        digits[5 * 28 + 7] = 100           // digit 0, (x 7, y 5)
        digits[784 + 27 * 28 + 27] = 200   // digit 1, (x 27, y 27)
        let patches = [MNISTMBuilder.Patch(photo: 0, left: 2, top: 1), MNISTMBuilder.Patch(photo: 0, left: 0, top: 0)]
        let out = MNISTMBuilder.blend(digits: digits, patches: patches, photos: [photo])
        // patternImage: value = (x*7 + y*13 + c*50) % 256. Digit 0 at (0,0) reads photo (2,1):
        // 14+13 = 27, 77, 127 -> |27-255| = 228, 178, 128.
        XCTAssertEqual(Array(out[0..<3]), [228, 178, 128])
        // Digit 0 at (7,5) reads photo (9,6): 63+78 = 141, 191, 241 -> |v-100| = 41, 91, 141.
        XCTAssertEqual(Array(out[(5 * 28 + 7) * 3 ..< (5 * 28 + 7) * 3 + 3]), [41, 91, 141])
        // Digit 0 where the digit is 0: the patch itself, photo (3,1) = 21+13 = 34, 84, 134.
        XCTAssertEqual(Array(out[3..<6]), [34, 84, 134])
        // Digit 1 at (27,27) reads photo (27,27): 189+351 = 540 % 256 = 28, 78, 128 -> |v-200| = 172, 122, 72.
        XCTAssertEqual(Array(out[2352 + 2349 ..< 2352 + 2352]), [172, 122, 72])
    }

    func testPatchesStayInsideThePhotosAndDependOnlyOnTheSeed() {
        let photos = [Image(width: 28, height: 28, channels: 3), Image(width: 100, height: 30, channels: 3)]
        let a = MNISTMBuilder.drawPatches(count: 500, photos: photos, generator: RandomGenerator(seed: 7))
        XCTAssertEqual(a, MNISTMBuilder.drawPatches(count: 500, photos: photos, generator: RandomGenerator(seed: 7)))
        XCTAssertNotEqual(a, MNISTMBuilder.drawPatches(count: 500, photos: photos, generator: RandomGenerator(seed: 8)))
        for p in a {
            XCTAssertTrue(p.left >= 0 && p.top >= 0 && p.left + 28 <= photos[p.photo].width && p.top + 28 <= photos[p.photo].height)
        }
        XCTAssertEqual(Set(a.map(\.photo)), [0, 1])
        XCTAssertEqual(Set(a.filter { $0.photo == 0 }.map(\.left)), [0], "a 28x28 photo has one place")
    }

    func testBuildIsDeterministicCarriesMNISTLabelsAndReadsBack() throws {
        let (mnist, train, test) = try smallMNIST(train: 300, test: 120)
        let photos = try photoFolder()
        let out = try makeTemporaryFolder(self, "out")
        let summary = try MNISTMWriter.build(mnist: mnist, photos: photos, seed: 3, into: out.appendingPathComponent("a"))
        XCTAssertEqual([summary.trainCount, summary.testCount, summary.photoCount], [300, 120, 3])
        _ = try MNISTMWriter.build(mnist: mnist, photos: photos, seed: 3, into: out.appendingPathComponent("b"))
        _ = try MNISTMWriter.build(mnist: mnist, photos: photos, seed: 4, into: out.appendingPathComponent("c"))
        for name in MNISTM.fileNames {
            let a = try Data(contentsOf: out.appendingPathComponent("a/\(name)"))
            XCTAssertEqual(a, try Data(contentsOf: out.appendingPathComponent("b/\(name)")), "same seed, same bytes: \(name)")
        }
        XCTAssertNotEqual(try Data(contentsOf: out.appendingPathComponent("a/train-images-idx4-ubyte")),
                          try Data(contentsOf: out.appendingPathComponent("c/train-images-idx4-ubyte")))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(), ["a", "b", "c"], "no hidden folder left")

        // Read back: MNIST's labels, and the images the recipe gives for the seed's patches.
        let photoImages = try MNISTMBuilder.loadPhotos(photos)
        let generator = RandomGenerator(seed: 3)
        for (split, digits) in [(MNIST.Split.train, train), (.test, test)] {
            let patches = MNISTMBuilder.drawPatches(count: digits.count, photos: photoImages, generator: generator)
            let built = try MNISTM(split: split, directory: out.appendingPathComponent("a"))
            XCTAssertEqual(built.count, digits.count)
            XCTAssertEqual(built.labels, digits.labels)
            XCTAssertEqual(try built.images.records(0 ..< built.count), MNISTMBuilder.blend(digits: digits.pixels, patches: patches, photos: photoImages))
            // One pixel straight from the definition: image 17 at (x 10, y 12).
            let p = patches[17], image = try built.image(at: 17), d = Int(digits.image(at: 17)[10, 12, 0])
            for c in 0..<3 {
                XCTAssertEqual(Int(image[10, 12, c]), abs(Int(photoImages[p.photo][p.left + 10, p.top + 12, c]) - d))
            }
        }
        let dataset = try MNISTMDataset(split: .test, directory: out.appendingPathComponent("a"))
        let example = try dataset.example(at: 5, generator: RandomGenerator(seed: 0))
        XCTAssertEqual(example.labels, [Float(test.labels[5])])
        XCTAssertEqual([example.images[0].channels, example.images[0].height, example.images[0].width], [3, 28, 28])
        // A gzipped copy of a file is read as well (images inflated into memory).
        let plain = try MNISTM(split: .test, directory: out.appendingPathComponent("a"))
        for name in ["t10k-labels-idx1-ubyte", "t10k-images-idx4-ubyte"] {
            let file = out.appendingPathComponent("a/\(name)")
            try Data(gzipForTests([UInt8](try Data(contentsOf: file)))).write(to: file.appendingPathExtension("gz"))
            try FileManager.default.removeItem(at: file)
        }
        let gzipped = try MNISTM(split: .test, directory: out.appendingPathComponent("a"))
        XCTAssertEqual(gzipped.labels, test.labels)
        XCTAssertEqual(try gzipped.images.records(3 ..< 7), try plain.images.records(3 ..< 7))
        let grid = try MNISTM(split: .train, directory: out.appendingPathComponent("a")).grid()
        XCTAssertEqual([grid.width, grid.height, grid.channels], [302, 302, 3])
    }

    /// Through the dataset and the pixelda/cogan transform (bilinear to 32 px, [-1, 1]): the
    /// shape, the range, MNIST's labels in MNIST's order, and pixels of seed 3 pinned.
    func testDatasetGivesNormalisedImagesInMNISTOrderAndPinnedPixels() throws {
        let (mnist, train, _) = try smallMNIST(train: 300, test: 120)
        let out = try makeTemporaryFolder(self, "out").appendingPathComponent("mnistm")
        _ = try MNISTMWriter.build(mnist: mnist, photos: try photoFolder(), seed: 3, into: out)
        let built = try MNISTM(split: .train, directory: out)
        func pixel(_ i: Int, _ x: Int, _ y: Int) throws -> [UInt8] { let image = try built.image(at: i); return (0..<3).map { image[x, y, $0] } }
        XCTAssertEqual(try pixel(17, 10, 12), [18, 68, 118])
        XCTAssertEqual(try pixel(299, 27, 0), [220, 14, 64])
        let transform = ImageTransform([.resize(width: 32, height: 32, filter: .bilinear)], mean: [0.5], std: [0.5])
        let dataset = try MNISTMDataset(split: .train, directory: out, transform: transform)
        XCTAssertEqual(dataset.count, 300)
        var low: Float = 1, high: Float = -1
        for i in 0..<300 {
            let example = try dataset.example(at: i, generator: RandomGenerator(seed: 0))
            XCTAssertEqual(example.labels, [Float(train.labels[i])], "label \(i)")
            let image = example.images[0]
            XCTAssertEqual([image.channels, image.height, image.width], [3, 32, 32])
            low = min(low, image.values.min()!)
            high = max(high, image.values.max()!)
        }
        XCTAssertGreaterThanOrEqual(low, -1)
        XCTAssertLessThanOrEqual(high, 1)
        XCTAssertLessThan(low, -0.9, "dark pixels reach the bottom of the range")
        XCTAssertGreaterThan(high, 0.9, "bright ones the top")
    }

    /// The MNIST-M `gan data mnistm` builds by default (seed 0, the 200 BSDS500 training
    /// photos): pixels of the first training image and the last test image, pinned. Skipped
    /// without ../shared/data/BSDS500.
    func testKnownPixelsOfTheDefaultBuild() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        guard let folder = ["../shared/data/BSDS500", "../../shared/data/BSDS500"].map({ root.appendingPathComponent($0 + "/images/train").standardizedFileURL })
            .first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw XCTSkip("BSDS500 is not in ../shared/data/BSDS500")
        }
        let photos = try MNISTMBuilder.loadPhotos(folder)
        XCTAssertEqual(photos.count, 200)
        let train = try MNIST(split: .train), test = try MNIST(split: .test)
        let generator = RandomGenerator(seed: 0)
        let trainPatches = MNISTMBuilder.drawPatches(count: train.count, photos: photos, generator: generator)
        let testPatches = MNISTMBuilder.drawPatches(count: test.count, photos: photos, generator: generator)
        let first = MNISTMBuilder.blend(digits: Array(train.pixels[0..<784]), patches: [trainPatches[0]], photos: photos)
        func pixel(_ image: [UInt8], _ x: Int, _ y: Int) -> [UInt8] { Array(image[(y * 28 + x) * 3 ..< (y * 28 + x) * 3 + 3]) }
        XCTAssertEqual(pixel(first, 14, 14), [235, 235, 237], "a stroke of the first digit (a 5)")
        XCTAssertEqual(pixel(first, 0, 0), [35, 48, 22], "the photo itself where the digit is 0")
        let last = MNISTMBuilder.blend(digits: Array(test.pixels[(9_999 * 784)...]), patches: [testPatches[9_999]], photos: photos)
        XCTAssertEqual(pixel(last, 20, 5), [242, 252, 200])
    }

    func testExistingTargetIsNeitherRebuiltNorDeleted() throws {
        let (mnist, _, _) = try smallMNIST(train: 20, test: 10)
        let photos = try photoFolder()
        let target = try makeTemporaryFolder(self, "out").appendingPathComponent("mnistm")
        _ = try MNISTMWriter.build(mnist: mnist, photos: photos, seed: 1, into: target)
        let before = try Data(contentsOf: target.appendingPathComponent("train-images-idx4-ubyte"))
        assertDataError(.unwritable, file: "mnistm", mentions: "already there") {
            try MNISTMWriter.build(mnist: mnist, photos: photos, seed: 2, into: target)
        }
        XCTAssertEqual(try Data(contentsOf: target.appendingPathComponent("train-images-idx4-ubyte")), before)
        try FileManager.default.removeItem(at: target.appendingPathComponent("SOURCE.md"))
        assertDataError(.unwritable, file: "mnistm", mentions: "SOURCE.md is missing") {
            try MNISTMWriter.build(mnist: mnist, photos: photos, seed: 2, into: target)
        }
        XCTAssertEqual(try Data(contentsOf: target.appendingPathComponent("train-images-idx4-ubyte")), before)
    }

    func testReaderRejectsFilesOfTheWrongShape() throws {
        let folder = try makeTemporaryFolder(self)
        try MNISTMWriter.writeIDX([UInt8](repeating: 1, count: 2 * 784), dimensions: [2, 28, 28], to: folder.appendingPathComponent("t10k-images-idx4-ubyte"))
        try MNISTMWriter.writeIDX([1, 2], dimensions: [2], to: folder.appendingPathComponent("t10k-labels-idx1-ubyte"))
        assertDataError(.mismatch, file: "t10k-images-idx4-ubyte", mentions: "N x 28 x 28 x 3 images, found 2 x 28 x 28") {
            try MNISTM(split: .test, directory: folder)
        }
        try MNISTMWriter.writeIDX([UInt8](repeating: 1, count: 2 * 2352), dimensions: [2, 28, 28, 3], to: folder.appendingPathComponent("t10k-images-idx4-ubyte"))
        try MNISTMWriter.writeIDX([1, 2, 3], dimensions: [3], to: folder.appendingPathComponent("t10k-labels-idx1-ubyte"))
        assertDataError(.mismatch, file: "t10k-labels-idx1-ubyte", mentions: "holds 3 labels but t10k-images-idx4-ubyte holds 2 images") {
            try MNISTM(split: .test, directory: folder)
        }
        assertDataError(.unreadable, file: "train-images-idx4-ubyte", mentions: "no such file") { try MNISTM(split: .train, directory: folder) }
        // A file that shrinks after it was opened (images are read as they are asked for).
        try MNISTMWriter.writeIDX([1, 2], dimensions: [2], to: folder.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let images = folder.appendingPathComponent("t10k-images-idx4-ubyte")
        let opened = try MNISTM(split: .test, directory: folder)
        XCTAssertEqual(try opened.image(at: 1).pixels, [UInt8](repeating: 1, count: 2352))
        XCTAssertEqual(truncate(images.path, off_t(20 + 2352 + 100)), 0)
        assertDataError(.unreadable, file: "t10k-images-idx4-ubyte", mentions: "file shrank") { try opened.image(at: 1) }
        XCTAssertEqual(try opened.image(at: 0).pixels, [UInt8](repeating: 1, count: 2352))
        assertDataError(.mismatch, file: "t10k-images-idx4-ubyte", mentions: "= 4704 bytes of data, but the file holds 2452") {
            try MNISTM(split: .test, directory: folder)
        }
    }
}
