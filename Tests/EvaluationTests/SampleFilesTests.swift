import Autograd
import Foundation
import Vision
import XCTest
@testable import Evaluation

/// Reading samples from .npy files, PNG folders and grid PNGs.
final class SampleFilesTests: XCTestCase {
    /// 8-bit round trip of values in [-1, 1], as PNGs store them.
    func quantised(_ t: Tensor) -> [Float] { t.scalars.map { (($0 + 1) * 127.5).rounded() / 127.5 - 1 } }

    func digits(_ n: Int) throws -> Tensor { try Shared.digits(.test, limit: n).images }

    func testNPYRoundTripsAndAcceptsNxHxW() throws {
        let dir = try temporaryFolder(self)
        let images = try digits(12)
        try NPY.write(images, to: dir.appendingPathComponent("a.npy"))
        XCTAssertEqual(try SampleFiles.readNPY(dir.appendingPathComponent("a.npy")).scalars, images.scalars)
        try NPY.write(images.reshape([12, 28, 28]), to: dir.appendingPathComponent("b.npy"))
        XCTAssertEqual(try SampleFiles.readNPY(dir.appendingPathComponent("b.npy")).shape, [12, 1, 28, 28])
    }

    func testNPYOfAnotherSizeIsResizedTo28() throws {
        let dir = try temporaryFolder(self)
        let flat = Tensor.full([3, 1, 32, 32], 0.25)
        try NPY.write(flat, to: dir.appendingPathComponent("a.npy"))
        let read = try SampleFiles.readNPY(dir.appendingPathComponent("a.npy"))
        XCTAssertEqual(read.shape, [3, 1, 28, 28])
        // A flat image stays flat: the filter weights sum to one.
        for v in read.scalars { XCTAssertEqual(v, 0.25, accuracy: 1e-5) }
    }

    func testNPYErrorsAreOneSentence() throws {
        let dir = try temporaryFolder(self)
        try NPY.write(Tensor.zeros([2, 3, 28, 28]), to: dir.appendingPathComponent("rgb.npy"))
        XCTAssertThrowsError(try SampleFiles.readNPY(dir.appendingPathComponent("rgb.npy"))) {
            XCTAssertTrue("\($0)".contains("expected N x 1 x H x W"), "\($0)")
        }
        try NPY.write(Tensor.full([2, 1, 28, 28], 255), to: dir.appendingPathComponent("bytes.npy"))
        XCTAssertThrowsError(try SampleFiles.readNPY(dir.appendingPathComponent("bytes.npy"))) {
            XCTAssertTrue("\($0)".contains("must be in [-1, 1]"), "\($0)")
        }
        try Data("not numpy".utf8).write(to: dir.appendingPathComponent("junk.npy"))
        XCTAssertThrowsError(try SampleFiles.readNPY(dir.appendingPathComponent("junk.npy")))
    }

    func testPNGFolderReadsEveryPNGInNameOrder() throws {
        let dir = try temporaryFolder(self)
        let images = try digits(5)
        for i in 0..<5 {
            let one = images.slice(dim: 0, start: i, end: i + 1).reshape([1, 28, 28])
            try imageFromTensor((one + 1) * 0.5).writePNG(to: dir.appendingPathComponent("sample_\(i).png"))
        }
        try Data("ignored".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        let read = try SampleFiles.readPNGFolder(dir)
        XCTAssertEqual(read.shape, [5, 1, 28, 28])
        for (a, b) in zip(read.scalars, quantised(images)) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertThrowsError(try SampleFiles.readPNGFolder(try temporaryFolder(self, "empty"))) {
            XCTAssertTrue("\($0)".contains("holds no .png files"))
        }
    }

    func testGridPNGSplitsIntoItsSamplesAndDropsEmptyCells() throws {
        let dir = try temporaryFolder(self)
        let images = try digits(23)
        let url = dir.appendingPathComponent("grid.png")
        // 23 samples, 5 per row: the last row has two empty cells.
        try saveImageGrid(images, to: url, nrow: 5, normalize: true)
        let read = try SampleFiles.readGrid(url, nrow: 5)
        XCTAssertEqual(read.shape, [23, 1, 28, 28])
        // normalize: true maps the grid's [-1, 1] range onto 0...255, as gan sample does.
        for (a, b) in zip(read.scalars, quantised(images)) { XCTAssertEqual(a, b, accuracy: 1.5 / 127.5) }
        // The layout of 28-pixel cells is found without --grid-nrow.
        XCTAssertEqual(try SampleFiles.readGrid(url, nrow: nil).shape, [23, 1, 28, 28])
        XCTAssertThrowsError(try SampleFiles.readGrid(url, nrow: 7)) { XCTAssertTrue("\($0)".contains("cannot hold 7 images per row"), "\($0)") }
    }
}
