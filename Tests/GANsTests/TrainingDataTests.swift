// Every kind of data the runtime builds, on real images from ../shared/data, with exact
// expectations where the batch can be computed another way, and the broken-data cases.
import Autograd
import Foundation
import Vision
import XCTest
@testable import GANs

/// `../shared/data` beside the repository, or a skip when it is absent.
func sharedData(_ relative: String) throws -> URL {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let url = root.deletingLastPathComponent().appendingPathComponent("shared/data").appendingPathComponent(relative)
    guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("shared data \(url.path) not present") }
    return url
}

final class TrainingDataTests: XCTestCase {
    /// The data of a model of `kind` at `size` x `size` in `channels` channels, from `directory`.
    func data(_ kind: DataKind, _ directory: URL?, dataset: String? = nil, size: Int = 32, channels: Int = 3,
              tweak: (inout DataRequirement) -> Void = { _ in }) throws -> TrainingData {
        var requirement = DataRequirement(kind, dataset: dataset ?? "test")
        tweak(&requirement)
        var common = CommonOptions()
        common.imgSize = size
        common.channels = channels
        let config = ModelConfig(common: common, data: DataOptions(dataset: dataset, directory: directory?.path))
        return try TrainingData("probe", requirement: requirement, config: config)
    }

    /// `image` as the runtime's fixed transform makes it: converted, resized, in [-1, 1].
    func expected(_ image: Image, size: Int, channels: Int = 3) -> FloatImage {
        let converted = channels == 3 ? image.rgb() : image.grayscale()
        return converted.resized(width: size, height: size, filter: .bicubic).floatCHW(mean: [0.5], std: [0.5])
    }

    func testPairsAreTheHalvesOfPix2PixFiles() throws {
        let facades = try sharedData("facades")
        let source = try data(.pairs, facades).batches(batchSize: 4, seed: 1)
        let batch = try source.batch(0, epoch: 0)
        XCTAssertEqual(batch.images.shape, [4, 3, 32, 32])
        XCTAssertEqual(batch.imagesB?.shape, [4, 3, 32, 32])
        XCTAssertEqual(source.count, 400)
        // Pictured examples come from test/ (this copy has no val/), in name order, unflipped.
        let examples = try source.examples(2)
        let (a, b) = try PairedImageDataset.halves(of: try Image(contentsOf: facades.appendingPathComponent("test/1.jpg")), file: "1.jpg")
        XCTAssertEqual(examples.images.slice(dim: 0, start: 0, end: 1).scalars, expected(a, size: 32).values)
        XCTAssertEqual(examples.imagesB!.slice(dim: 0, start: 0, end: 1).scalars, expected(b, size: 32).values)
    }

    func testAResumedEpochServesTheBatchesOfAnUninterruptedOne() throws {
        let facades = try sharedData("facades")
        let flipped = try data(.pairs, facades) { $0.flip = true }
        let straight = try flipped.batches(batchSize: 2, seed: 7)
        let first = try (0..<3).map { try straight.batch($0, epoch: 1).images.scalars }
        let resumed = try flipped.batches(batchSize: 2, seed: 7)
        XCTAssertEqual(try resumed.batch(2, epoch: 1).images.scalars, first[2])
        XCTAssertNotEqual(first[0], first[1])
    }

    func testUnpairedDomainsFromCycleGANFoldersAndFromPairs() throws {
        let facades = try sharedData("facades")
        let fromPairs = try data(.unpaired, facades).batches(batchSize: 3, seed: 2).batch(0, epoch: 0)
        XCTAssertEqual(fromPairs.pair.a.shape, [3, 3, 32, 32])
        XCTAssertEqual(fromPairs.pair.b.shape, [3, 3, 32, 32])
        // A CycleGAN layout made of five photos (domain A) and three label maps (domain B).
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swiftgan-unpaired-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for (folder, count, half) in [("trainA", 5, 0), ("trainB", 3, 1)] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            for i in 1...count {
                let pair = try PairedImageDataset.halves(of: try Image(contentsOf: facades.appendingPathComponent("train/\(i).jpg")), file: "\(i)")
                try (half == 0 ? pair.0 : pair.1).writePNG(to: root.appendingPathComponent("\(folder)/\(i).png"))
            }
        }
        let source = try data(.unpaired, root).batches(batchSize: 5, seed: 3)
        XCTAssertEqual(source.count, 5)
        let batch = try source.batch(0, epoch: 0)
        XCTAssertEqual(batch.pair.b.shape, [5, 3, 32, 32])
    }

    func testAttributesComeFromTheCelebAList() throws {
        let celeba = try sharedData("celeba")
        let faces = try data(.attributes, celeba) { $0.attributes = ["Black_Hair", "Male", "Young"] }
        let examples = try faces.batches(batchSize: 4, seed: 0).examples(3)
        XCTAssertEqual(examples.attributes?.shape, [3, 3])
        // Rows 000001-000003 of list_attr_celeba.txt, read here independently.
        let lines = try String(contentsOf: celeba.appendingPathComponent("list_attr_celeba.txt"), encoding: .utf8).split(separator: "\n")
        let names = lines[1].split(separator: " ").map(String.init)
        var rows: [Float] = []
        for line in lines[2..<5] {
            let fields = line.split(separator: " ")
            for attribute in ["Black_Hair", "Male", "Young"] { rows.append(fields[1 + names.firstIndex(of: attribute)!] == "1" ? 1 : 0) }
        }
        XCTAssertEqual(examples.attributes!.scalars, rows)
        XCTAssertEqual(examples.images.shape, [3, 3, 32, 32])
    }

    func testFolderImagesInColourOrGrayByTheCentralSquare() throws {
        let faces = try sharedData("celeba/img_align_celeba")
        for channels in [3, 1] {
            let folder = try data(.images, faces, dataset: "folder", size: 24, channels: channels) { $0.fit = .centerCrop }
            let examples = try folder.batches(batchSize: 2, seed: 0).examples(1)
            let face = try Image(contentsOf: faces.appendingPathComponent("000001.jpg"))   // 89x109
            let converted = channels == 3 ? face.rgb() : face.grayscale()
            let want = converted.resized(width: 24, height: 29, filter: .bicubic).centerCropped(width: 24, height: 24)
                .floatCHW(mean: [0.5], std: [0.5])
            XCTAssertEqual(examples.images.shape, [1, channels, 24, 24])
            XCTAssertEqual(examples.images.scalars, want.values)
        }
    }

    func testSuperResolutionPairsAreDownsampledCopies() throws {
        let bsds = try sharedData("BSDS500")
        let source = try data(.superResolution, bsds, size: 64) { $0.normalization = .imagenet }.batches(batchSize: 2, seed: 0)
        let batch = try source.examples(2)
        XCTAssertEqual(batch.images.shape, [2, 3, 64, 64])
        XCTAssertEqual(batch.lowResolution?.shape, [2, 3, 16, 16])
        let photo = try ImageFolderDataset(directory: bsds.appendingPathComponent("images/train")).files[0]
        let high = try Image(contentsOf: photo).rgb().resized(width: 64, height: 64, filter: .bicubic)
        let low = high.resized(width: 16, height: 16, filter: .bicubic)
        let imagenet = PixelNormalization.imagenet
        XCTAssertEqual(batch.lowResolution!.slice(dim: 0, start: 0, end: 1).scalars, low.floatCHW(mean: imagenet.mean, std: imagenet.std).values)
    }

    func testInpaintingHolesInsideTheImage() throws {
        let faces = try sharedData("celeba")
        let masked = try data(.masked, faces, size: 32) { $0.holeSize = 8 }
        let source = try masked.batches(batchSize: 16, seed: 4)
        let batch = try source.batch(0, epoch: 0)
        XCTAssertEqual(batch.holes.count, 16)
        for hole in batch.holes { XCTAssertTrue((0..<24).contains(hole.x) && (0..<24).contains(hole.y)) }
        XCTAssertGreaterThan(Set(batch.holes.map { $0.x * 100 + $0.y }).count, 8, "random positions")
        XCTAssertTrue(try source.examples(3).holes.allSatisfy { $0 == (12, 12) }, "pictured holes are centred")
    }

    func testDomainsPairLabelledMNISTWithMNISTM() throws {
        // A small MNIST-M made with the published recipe from the first MNIST digits.
        let bsds = try sharedData("BSDS500/images/train")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swiftgan-mnistm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let mnist = try MNIST(split: .train), photos = try MNISTMBuilder.loadPhotos(bsds)
        var blended: [[UInt8]] = []
        for (split, count) in [(MNIST.Split.train, 12), (.test, 4)] {
            let patches = MNISTMBuilder.drawPatches(count: count, photos: photos, generator: RandomGenerator(seed: 5))
            let images = MNISTMBuilder.blend(digits: Array(mnist.pixels[0..<(count * 784)]), patches: patches, photos: photos)
            blended.append(images)
            func idx(_ bytes: [UInt8], _ dims: [Int]) -> Data {
                var header: [UInt8] = [0, 0, 8, UInt8(dims.count)]
                for d in dims { header += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
                return Data(header + bytes)
            }
            let names = MNISTM.files(split)
            try idx(images, [count, 28, 28, 3]).write(to: root.appendingPathComponent(names.images))
            try idx(Array(mnist.labels[0..<count]), [count]).write(to: root.appendingPathComponent(names.labels))
        }
        let domains = try data(.domains, root, size: 28).batches(batchSize: 4, seed: 0)
        XCTAssertEqual(domains.count, 60_000, "one epoch is the source domain's")
        let batch = try domains.batch(0, epoch: 0)
        XCTAssertEqual(batch.images.shape, [4, 3, 28, 28])
        XCTAssertEqual(batch.pair.b.shape, [4, 3, 28, 28])
        XCTAssertEqual(batch.labels.count, 4)
        // Pictured examples: MNIST's first test digits (gray made RGB), any MNIST-M test image.
        let examples = try domains.examples(2)
        let digit = try MNIST(split: .test).image(at: 0)
        XCTAssertEqual(examples.images.slice(dim: 0, start: 0, end: 1).scalars, digit.rgb().floatCHW(mean: [0.5], std: [0.5]).values)
        let target = Array(examples.imagesB!.slice(dim: 0, start: 0, end: 1).scalars)
        let candidates = (0..<4).map { i in
            Image(width: 28, height: 28, channels: 3, pixels: Array(blended[1][(i * 2352)..<((i + 1) * 2352)])).floatCHW(mean: [0.5], std: [0.5]).values
        }
        XCTAssertTrue(candidates.contains(target), "the target image is one of the MNIST-M test images")
        // MNIST-M alone serves models of labelled images.
        let labelled = try data(.labelledImages, root, size: 28).batches(batchSize: 3, seed: 0).examples(3)
        XCTAssertEqual(labelled.labels, mnist.labels[0..<3].map { Int($0) }, "the labels written with the small MNIST-M")
    }

    func testMNISTStaysTheInMemoryPath() throws {
        let config = try Zoo.config(for: DCGAN.self, common: ["batch-size": 8], extra: [:])
        let source = try TrainingData(DCGAN.self, config: config).batches(batchSize: 8, seed: 3, limit: 64)
        XCTAssertTrue(source is MNISTBatches)
        let set = try MNISTTrainingSet(imageSize: 32, limit: 64)
        XCTAssertEqual(try source.batch(1, epoch: 2).images.scalars, set.batch(1, order: set.order(epoch: 2, seed: 3), batchSize: 8).images.scalars)
    }

    // MARK: - Broken data: one sentence naming the file, nothing trained on half an answer

    func testBrokenDataIsOneSentenceNamingTheFile() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swiftgan-broken-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let fm = FileManager.default
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        func expectError(_ what: String, mentions: [String], _ body: () throws -> Void) {
            XCTAssertThrowsError(try body(), what) { error in
                let text = "\(error)"
                for m in mentions { XCTAssertTrue(text.contains(m), "\(what): '\(text)' does not mention \(m)") }
                XCTAssertFalse(text.contains("\n"), "\(what): one sentence")
            }
        }
        let gray = Image(width: 20, height: 20, channels: 1, pixels: (0..<400).map { UInt8($0 % 251) })

        // A corrupt image in a folder: the batch that needs it fails, naming it.
        let folder = root.appendingPathComponent("folder")
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        try gray.writePNG(to: folder.appendingPathComponent("a.png"))
        try Data([0xFF, 0xD8, 0xFF, 0x00, 0x01]).write(to: folder.appendingPathComponent("b.jpg"))
        let folderData = try data(.images, folder, dataset: "folder", size: 16)
        expectError("corrupt image", mentions: ["b.jpg", "JPEG"]) { _ = try folderData.batches(batchSize: 2, seed: 0).batch(0, epoch: 0) }

        // A grayscale image where colour is expected is converted, as PIL's convert("RGB").
        try fm.removeItem(at: folder.appendingPathComponent("b.jpg"))
        let colour = try folderData.batches(batchSize: 1, seed: 0).batch(0, epoch: 0).images
        XCTAssertEqual(colour.shape, [1, 3, 16, 16])
        let planes = colour.scalars
        XCTAssertEqual(Array(planes[0..<256]), Array(planes[256..<512]))

        // A folder with no images.
        let empty = root.appendingPathComponent("empty")
        try fm.createDirectory(at: empty, withIntermediateDirectories: true)
        try Data("notes".utf8).write(to: empty.appendingPathComponent("README.txt"))
        expectError("empty folder", mentions: ["empty", "no dataset"]) { _ = try data(.images, empty) }
        expectError("empty folder as a folder", mentions: ["empty", "no .png"]) { _ = try data(.images, empty, dataset: "folder").batches(batchSize: 1, seed: 0) }

        // An odd-width A|B image.
        let paired = root.appendingPathComponent("paired/train")
        try fm.createDirectory(at: paired, withIntermediateDirectories: true)
        try Image(width: 21, height: 10, channels: 3).writePNG(to: paired.appendingPathComponent("odd.png"))
        let pairs = try data(.pairs, root.appendingPathComponent("paired"), size: 8)
        expectError("odd width", mentions: ["odd.png", "odd"]) { _ = try pairs.batches(batchSize: 1, seed: 0).batch(0, epoch: 0) }

        // A missing split.
        let needsVal = try data(.pairs, root.appendingPathComponent("paired"), size: 8) { $0.trainSplits = ["train", "val"] }
        expectError("missing split", mentions: ["val", "no such folder"]) { _ = try needsVal.batches(batchSize: 1, seed: 0) }

        // An attribute file whose rows do not match the images.
        let celeba = root.appendingPathComponent("celeba")
        try fm.createDirectory(at: celeba.appendingPathComponent("img_align_celeba"), withIntermediateDirectories: true)
        try gray.writePNG(to: celeba.appendingPathComponent("img_align_celeba/000001.png"))
        try Data("2\nMale Young\n000001.png 1 -1\n000002.png -1 1\n".utf8).write(to: celeba.appendingPathComponent("list_attr_celeba.txt"))
        let faces = try data(.attributes, celeba) { $0.attributes = ["Male"] }
        expectError("attribute rows", mentions: ["list_attr_celeba.txt", "000002.png"]) { _ = try faces.batches(batchSize: 1, seed: 0) }

        // Data of the wrong kind, and data that is not there.
        expectError("wrong kind", mentions: ["probe", "pairs"]) { _ = try data(.pairs, folder, dataset: "folder").batches(batchSize: 1, seed: 0) }
        expectError("missing dataset", mentions: ["gan data fetch monet2photo"]) { _ = try data(.unpaired, nil, dataset: "monet2photo") }
    }
}
