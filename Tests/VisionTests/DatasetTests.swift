// Image-folder layouts: single folder, pix2pix pairs, CycleGAN domains, CelebA attributes,
// and the broken-input cases of each.
import Autograd
import Foundation
import XCTest
@testable import Vision

final class DatasetTests: XCTestCase {
    let generator = RandomGenerator(seed: 1)

    func testSingleFolderListsImagesInNameOrderAndIgnoresOtherFiles() throws {
        let folder = try makeTemporaryFolder(self)
        try writePNG(patternImage(width: 5, height: 4, seed: 2), folder, "b.png")
        try writePNG(patternImage(width: 5, height: 4, seed: 1), folder, "a.PNG")
        try writeBytes(Array("readme".utf8), folder, "README.txt")
        let dataset = try ImageFolderDataset(directory: folder)
        XCTAssertEqual(dataset.files.map(\.lastPathComponent), ["a.PNG", "b.png"])
        let example = try dataset.example(at: 1, generator: generator)
        XCTAssertEqual(example.images[0], patternImage(width: 5, height: 4, seed: 2).floatCHW())
        XCTAssertEqual(example.labels, [])
    }

    func testEmptyAndMissingFoldersAreErrors() throws {
        let folder = try makeTemporaryFolder(self)
        try writeBytes(Array("x".utf8), folder, "notes.txt")
        assertDataError(.empty, file: folder.lastPathComponent, mentions: "no .png") { try ImageFolderDataset(directory: folder) }
        let missing = folder.appendingPathComponent("nowhere")
        assertDataError(.unreadable, file: "nowhere", mentions: "no such folder") { try ImageFolderDataset(directory: missing) }
    }

    func testPairedImagesSplitInTheMiddleIncludingNon2To1() throws {
        let root = try makeTemporaryFolder(self)
        let train = root.appendingPathComponent("train")
        try FileManager.default.createDirectory(at: train, withIntermediateDirectories: true)
        // 2:1 and 3:1 (the halves 9x6, not square) both load.
        for (name, width) in [("1.png", 12), ("2.png", 18)] {
            let left = patternImage(width: width / 2, height: 6, seed: 3)
            let right = patternImage(width: width / 2, height: 6, seed: 4)
            var joined = Image(width: width, height: 6, channels: 3)
            for y in 0..<6 {
                let rowL = Array(left.pixels[(y * left.width * 3)..<((y + 1) * left.width * 3)])
                let rowR = Array(right.pixels[(y * right.width * 3)..<((y + 1) * right.width * 3)])
                joined.pixels.replaceSubrange((y * width * 3)..<((y + 1) * width * 3), with: rowL + rowR)
            }
            try writePNG(joined, train, name)
            let dataset = try PairedImageDataset(root: root)
            let index = dataset.files.firstIndex { $0.lastPathComponent == name }!
            let pair = try dataset.example(at: index, generator: generator)
            XCTAssertEqual(pair.images[0], left.floatCHW(), name)
            XCTAssertEqual(pair.images[1], right.floatCHW(), name)
            let reversed = try PairedImageDataset(root: root, direction: .bToA).example(at: index, generator: generator)
            XCTAssertEqual(reversed.images[0], right.floatCHW(), name)
        }
    }

    func testPairedImageWithOddWidthIsAnError() throws {
        let root = try makeTemporaryFolder(self)
        let train = root.appendingPathComponent("train")
        try FileManager.default.createDirectory(at: train, withIntermediateDirectories: true)
        try writePNG(patternImage(width: 13, height: 6), train, "odd.png")
        let dataset = try PairedImageDataset(root: root)
        assertDataError(.mismatch, file: "odd.png", mentions: "width is odd") { try dataset.example(at: 0, generator: generator) }
    }

    func testRealFacadesPairsAreTwoSquareHalves() throws {
        let root = try TestPaths.shared("facades")
        let dataset = try PairedImageDataset(root: root, split: "test", direction: .bToA)
        XCTAssertEqual(dataset.count, 106)
        let pair = try dataset.example(at: 0, generator: generator)
        XCTAssertEqual(pair.images.map(\.shape), [[3, 256, 256], [3, 256, 256]])
    }

    func testUnpairedAlignedAndShuffled() throws {
        let root = try makeTemporaryFolder(self)
        for (domain, count) in [("trainA", 3), ("trainB", 5)] {
            let folder = root.appendingPathComponent(domain)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<count {
                // Each image is one flat value, so its identity can be read back.
                try writePNG(Image(width: 2, height: 2, channels: 1, pixels: [UInt8](repeating: UInt8(domain == "trainA" ? i : 100 + i), count: 4)),
                             folder, "\(i).png")
            }
        }
        let aligned = try UnpairedImageDataset(root: root, mode: .aligned)
        XCTAssertEqual(aligned.count, 5)
        let identity = { (example: Example) in example.images.map { Int(($0.values[0] * 255).rounded()) } }
        XCTAssertEqual(try (0..<5).map { identity(try aligned.example(at: $0, generator: self.generator)) },
                       [[0, 100], [1, 101], [2, 102], [0, 103], [1, 104]])
        let shuffled = try UnpairedImageDataset(root: root, mode: .shuffled)
        var seenB = Set<Int>()
        for seed in 0..<40 {
            let pair = identity(try shuffled.example(at: 1, generator: RandomGenerator(seed: UInt64(seed))))
            XCTAssertEqual(pair[0], 1)
            seenB.insert(pair[1])
        }
        XCTAssertEqual(seenB, [100, 101, 102, 103, 104])
        assertDataError(.unreadable, file: "testA", mentions: "no such folder") { try UnpairedImageDataset(root: root, split: "test") }
    }

    func testCelebAAttributesBecomeZeroOneLabels() throws {
        let root = try makeTemporaryFolder(self)
        let images = root.appendingPathComponent("img_align_celeba")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        for i in 1...3 { try writePNG(patternImage(width: 4, height: 5, seed: i), images, "00000\(i).png") }
        let table = "3\nSmiling Male Young \n000001.png  1 -1  1\n000002.png -1 -1 -1\n000003.png 1 1 -1\n"
        try writeBytes(Array(table.utf8), root, "list_attr_celeba.txt")
        let dataset = try CelebADataset(root: root, attributes: ["Young", "Male"])
        XCTAssertEqual(dataset.count, 3)
        XCTAssertEqual(try dataset.example(at: 0, generator: generator).labels, [1, 0])
        XCTAssertEqual(try dataset.example(at: 2, generator: generator).labels, [0, 1])
        assertDataError(.mismatch, file: "list_attr_celeba.txt", mentions: "Bald") {
            try CelebADataset(root: root, attributes: ["Bald"])
        }
        try writeBytes(Array("5\nSmiling Male Young\n000001.png 1 -1 1\n".utf8), root, "list_attr_celeba.txt")
        assertDataError(.mismatch, file: "list_attr_celeba.txt", mentions: "declares 5") {
            try CelebADataset(root: root, attributes: ["Male"])
        }
        try writeBytes(Array("1\nSmiling Male Young\n000001.png 1 -1\n".utf8), root, "list_attr_celeba.txt")
        assertDataError(.corrupt, file: "list_attr_celeba.txt", mentions: "line 3") {
            try CelebADataset(root: root, attributes: ["Male"])
        }
    }

    func testCelebAWithoutAttributeFileIsAnError() throws {
        let root = try makeTemporaryFolder(self)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("img_align_celeba"), withIntermediateDirectories: true)
        assertDataError(.unreadable, file: "list_attr_celeba.txt", mentions: "missing attribute file") {
            try CelebADataset(root: root, attributes: ["Male"])
        }
    }

    func testRealCelebA() throws {
        let root = try TestPaths.shared("celeba")
        let dataset = try CelebADataset(root: root, attributes: ["Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"],
                                        transform: ImageTransform([.centerCrop(width: 89, height: 89), .resize(width: 64, height: 64, filter: .bilinear)]))
        XCTAssertEqual(dataset.count, 10_000)
        let example = try dataset.example(at: 0, generator: generator)
        XCTAssertEqual(example.images[0].shape, [3, 64, 64])
        XCTAssertEqual(example.labels.count, 5)
    }
}
