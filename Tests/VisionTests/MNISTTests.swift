// The built-in MNIST, IDX parsing, and every broken-file case with real corrupted bytes.
import Foundation
import XCTest
@testable import Vision

final class MNISTTests: XCTestCase {
    func testBuiltInMNISTIsFoundAndLoadsWithoutAnyFlag() throws {
        let test = try MNIST(split: .test)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual([test.rows, test.columns], [28, 28])
        var counts = [Int](repeating: 0, count: 10)
        for label in test.labels { counts[Int(label)] += 1 }
        XCTAssertEqual(counts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        XCTAssertEqual(test.labels.prefix(5), [7, 2, 1, 0, 4])
    }

    func testShippedFilesMatchTheirChecksums() throws {
        let directory = try MNISTLocation.builtInDirectory()
        let sums = try String(contentsOf: directory.appendingPathComponent("SHA256SUMS"), encoding: .utf8)
        var checked = 0
        for line in sums.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2, parts[1].hasPrefix("t10k") else { continue }  // the small ones, in debug time
            let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(String(parts[1]))))
            XCTAssertEqual(sha256Hex(bytes), String(parts[0]), String(parts[1]))
            checked += 1
        }
        XCTAssertEqual(checked, 2)
    }

    func testSHA256KnownVectors() {
        XCTAssertEqual(sha256Hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(sha256Hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(sha256Hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(sha256Hex([UInt8](repeating: 0x61, count: 1_000)),
                       "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    /// A small IDX pair written to a folder: `count` 3x2 images and labels.
    private func writeIDX(_ folder: URL, images: Int = 4, labels: Int = 4, gzip: Bool = false,
                          magic: UInt8 = 3, declaredImages: Int? = nil) throws {
        var imageBytes: [UInt8] = [0, 0, 8, magic] + be(declaredImages ?? images) + be(3) + be(2)
        imageBytes += (0..<(images * 6)).map { UInt8($0 % 256) }
        var labelBytes: [UInt8] = [0, 0, 8, 1] + be(labels)
        labelBytes += (0..<labels).map { UInt8($0 % 10) }
        if gzip {
            imageBytes = try gzipped(imageBytes)
            labelBytes = try gzipped(labelBytes)
        }
        try writeBytes(imageBytes, folder, "train-images-idx3-ubyte" + (gzip ? ".gz" : ""))
        try writeBytes(labelBytes, folder, "train-labels-idx1-ubyte" + (gzip ? ".gz" : ""))
    }

    private func be(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 255), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }

    func testPlainAndGzippedIDXLoad() throws {
        for gzip in [false, true] {
            let folder = try makeTemporaryFolder(self, "idx\(gzip)")
            try writeIDX(folder, gzip: gzip)
            let data = try MNIST(split: .train, directory: folder)
            XCTAssertEqual(data.count, 4)
            XCTAssertEqual([data.rows, data.columns], [3, 2])
            XCTAssertEqual(data.image(at: 1).pixels, [6, 7, 8, 9, 10, 11])
            XCTAssertEqual(data.labels, [0, 1, 2, 3])
        }
    }

    func testCorruptGzipIsAnError() throws {
        let folder = try makeTemporaryFolder(self)
        try writeIDX(folder, gzip: true)
        let url = folder.appendingPathComponent("train-images-idx3-ubyte.gz")
        var bytes = [UInt8](try Data(contentsOf: url))
        for i in 12..<min(bytes.count - 8, 24) { bytes[i] ^= 0x5A }
        try writeBytes(bytes, folder, "train-images-idx3-ubyte.gz")
        assertDataError(.corrupt, file: "train-images-idx3-ubyte.gz", mentions: "gzip") {
            try MNIST(split: .train, directory: folder)
        }
    }

    func testTruncatedGzipIsAnError() throws {
        let folder = try makeTemporaryFolder(self)
        // The real test labels, cut in half: a true truncated download.
        let real = [UInt8](try Data(contentsOf: try MNISTLocation.builtInDirectory().appendingPathComponent("t10k-labels-idx1-ubyte.gz")))
        try writeBytes(Array(real.prefix(real.count / 2)), folder, "t10k-labels-idx1-ubyte.gz")
        try FileManager.default.copyItem(at: try MNISTLocation.builtInDirectory().appendingPathComponent("t10k-images-idx3-ubyte.gz"),
                                         to: folder.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        assertDataError(.corrupt, file: "t10k-labels-idx1-ubyte.gz", mentions: "truncated") {
            try MNIST(split: .test, directory: folder)
        }
    }

    func testWrongMagicNumberIsAnError() throws {
        let folder = try makeTemporaryFolder(self)
        try writeIDX(folder)
        var bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent("train-images-idx3-ubyte")))
        bytes[2] = 0x0D  // float type code, not unsigned byte
        try writeBytes(bytes, folder, "train-images-idx3-ubyte")
        assertDataError(.corrupt, file: "train-images-idx3-ubyte", mentions: "magic") { try MNIST(split: .train, directory: folder) }
        try writeBytes(Array("PK\u{3}\u{4} a zip file".utf8), folder, "train-images-idx3-ubyte")
        assertDataError(.corrupt, file: "train-images-idx3-ubyte", mentions: "magic") { try MNIST(split: .train, directory: folder) }
    }

    func testCountsThatDoNotMatchTheSizeAreAnError() throws {
        let folder = try makeTemporaryFolder(self)
        try writeIDX(folder, images: 4, declaredImages: 5)
        assertDataError(.mismatch, file: "train-images-idx3-ubyte", mentions: "holds 24") { try MNIST(split: .train, directory: folder) }
    }

    func testLabelsThatDoNotMatchImagesAreAnError() throws {
        let folder = try makeTemporaryFolder(self)
        try writeIDX(folder, images: 4, labels: 3)
        assertDataError(.mismatch, file: "train-labels-idx1-ubyte", mentions: "3 labels") { try MNIST(split: .train, directory: folder) }
    }

    func testMissingFilesNameWhatIsMissing() throws {
        let folder = try makeTemporaryFolder(self)
        assertDataError(.unreadable, file: "train-images-idx3-ubyte.gz", mentions: "missing") { try MNIST(split: .train, directory: folder) }
    }

    func testDatasetGivesNormalisedImagesAndDigitLabels() throws {
        let dataset = try MNISTDataset(split: .test, transform: ImageTransform(mean: [0.5], std: [0.5]))
        let example = try dataset.example(at: 0, generator: .init(seed: 0))
        XCTAssertEqual(example.images[0].shape, [1, 28, 28])
        XCTAssertEqual(example.labels, [7])
        XCTAssertEqual(example.images[0].values.min(), -1)
        XCTAssertEqual(example.images[0].values.max(), 1)
    }
}

/// gzip through the system's gzip tool (tests only), so the reader meets real gzip files.
func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vision-gz-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("data")
    try Data(bytes).write(to: file)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-n", file.path]
    try process.run()
    process.waitUntilExit()
    return [UInt8](try Data(contentsOf: folder.appendingPathComponent("data.gz")))
}
