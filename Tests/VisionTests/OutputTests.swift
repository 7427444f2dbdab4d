// Sample grids against torchvision's save_image output, and .npy against NumPy's bytes.
import Autograd
import Foundation
import XCTest
@testable import Vision

final class OutputTests: XCTestCase {
    func testGridsMatchTorchvisionSaveImage() throws {
        let folder = try makeTemporaryFolder(self)
        let cases: [(String, Int, Int, Bool)] = [
            ("grid_normalized", 3, 2, true), ("grid_plain", 2, 1, false), ("grid_default", 8, 2, false), ("grid_single", 8, 2, true),
        ]
        for (name, nrow, padding, normalize) in cases {
            let input = try NPY.read(TestPaths.fixture("\(name)_input.npy"))
            let url = folder.appendingPathComponent("\(name).png")
            try saveImageGrid(input, to: url, nrow: nrow, padding: padding, normalize: normalize)
            let ours = try Image(contentsOf: url)
            let theirs = try Image(contentsOf: TestPaths.fixture("\(name).png"))
            XCTAssertEqual([ours.width, ours.height, ours.channels], [theirs.width, theirs.height, theirs.channels], name)
            XCTAssertEqual(ours.pixels, theirs.pixels, name)
        }
    }

    func testGridLayoutRules() {
        // 5 images of 2x3 in rows of 2: 3 rows; width 2*(3+2)+2 = 12, height 3*(2+2)+2 = 14.
        let grid = makeImageGrid(Tensor.ones([5, 1, 2, 3]), nrow: 2)
        XCTAssertEqual(grid.shape, [3, 14, 12])
        XCTAssertEqual(grid[0, 0, 0], 0)  // padding
        XCTAssertEqual(grid[0, 2, 2], 1)  // first image
        XCTAssertEqual(grid[0, 10, 7], 0)  // the empty sixth cell
        XCTAssertEqual(makeImageGrid(Tensor.ones([1, 3, 2, 3])).shape, [3, 2, 3])  // one image: no padding
    }

    func testNPYWriterMatchesNumPyBytesAndReadsBack() throws {
        let cases: [(String, Tensor)] = [
            ("npy_2x3", Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5].map { Float($0) / 4 - 0.5 })),
            ("npy_5", Tensor(shape: [5], scalars: [1.5, -2, 0, 3.25, 1e-3])),
            ("npy_scalar", Tensor(7)),
        ]
        let folder = try makeTemporaryFolder(self)
        for (name, tensor) in cases {
            let numpy = [UInt8](try Data(contentsOf: TestPaths.fixture("\(name).npy")))
            XCTAssertEqual(NPY.encode(tensor), numpy, name)
            let url = folder.appendingPathComponent("\(name).npy")
            try NPY.write(tensor, to: url)
            let back = try NPY.read(url)
            XCTAssertEqual(back.shape, tensor.shape)
            XCTAssertEqual(back.scalars, tensor.scalars)
        }
    }

    func testBadNPYFilesAreErrors() throws {
        let folder = try makeTemporaryFolder(self)
        var bytes = NPY.encode(Tensor.ones([4, 4]))
        let cut = try writeBytes(Array(bytes.prefix(bytes.count - 3)), folder, "cut.npy")
        assertDataError(.mismatch, file: "cut.npy", mentions: "needs 64 bytes") { try NPY.read(cut) }
        let notNPY = try writeBytes(Array("hello world".utf8), folder, "text.npy")
        assertDataError(.corrupt, file: "text.npy", mentions: "magic") { try NPY.read(notNPY) }
        let header = String(decoding: bytes[10..<74], as: UTF8.self).replacingOccurrences(of: "<f4", with: "<f8")
        bytes.replaceSubrange(10..<74, with: Array(header.utf8))
        let f8 = try writeBytes(bytes, folder, "double.npy")
        assertDataError(.mismatch, file: "double.npy", mentions: "float32") { try NPY.read(f8) }
    }
}
