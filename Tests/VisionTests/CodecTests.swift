// PNG and JPEG decoding against Pillow's pixels, PNG encoding, and broken files.
import Foundation
import XCTest
@testable import Vision

final class CodecTests: XCTestCase {
    func testPNGColourTypesDecodeAsPillowDoes() throws {
        let expectedChannels = ["gray": 1, "gray_alpha": 2, "rgb": 3, "rgba": 4, "palette": 3]
        for (name, channels) in expectedChannels {
            let image = try Image(contentsOf: TestPaths.fixture("png_\(name).png"))
            let expected = [UInt8](try Data(contentsOf: TestPaths.fixture("png_\(name).raw")))
            XCTAssertEqual(image.width, 13, name)
            XCTAssertEqual(image.height, 7, name)
            XCTAssertEqual(image.channels, channels, name)
            XCTAssertEqual(image.pixels, expected, "png_\(name) differs from Pillow's decode")
        }
    }

    func testLessCommonPNGsDecodeAsPillowDoes() throws {
        // Palette + tRNS gains alpha; 16-bit keeps the high byte; 1-bit expands to 0/255.
        for (name, channels) in [("palette_trns", 4), ("gray16", 1), ("gray1", 1)] {
            let image = try Image(contentsOf: TestPaths.fixture("png_\(name).png"))
            XCTAssertEqual(image.channels, channels, name)
            XCTAssertEqual(image.pixels, [UInt8](try Data(contentsOf: TestPaths.fixture("png_\(name).raw"))), name)
        }
    }

    func testCMYKJPEGBecomesRGBAsInPillow() throws {
        let image = try Image(contentsOf: TestPaths.fixture("jpeg_cmyk.jpg"))
        XCTAssertEqual(image.channels, 3)
        let expected = [UInt8](try Data(contentsOf: TestPaths.fixture("jpeg_cmyk.raw")))
        XCTAssertLessThanOrEqual(maxDifference(image.pixels, expected), 1)
    }

    func testJPEGBaselineAndProgressiveMatchPillow() throws {
        for name in ["rgb_baseline", "rgb_progressive", "gray_baseline", "gray_progressive"] {
            let image = try Image(contentsOf: TestPaths.fixture("jpeg_\(name).jpg"))
            let expected = [UInt8](try Data(contentsOf: TestPaths.fixture("jpeg_\(name).raw")))
            XCTAssertEqual(image.width, 40, name)
            XCTAssertEqual(image.height, 24, name)
            XCTAssertEqual(image.channels, name.hasPrefix("gray") ? 1 : 3, name)
            // Same IDCT and upsampling as Pillow's libjpeg-turbo; allow a level for version drift.
            XCTAssertLessThanOrEqual(maxDifference(image.pixels, expected), 1, name)  // exact today
        }
    }

    func testPNGEncodeRoundTripsEveryChannelCount() throws {
        let folder = try makeTemporaryFolder(self)
        for channels in 1...4 {
            let image = patternImage(width: 19, height: 11, channels: channels)
            let url = try writePNG(image, folder, "round\(channels).png")
            XCTAssertEqual(try Image(contentsOf: url), image)
        }
        // No temporary files are left beside the result.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [])
    }

    func testTruncatedPNGIsAnErrorNamingTheFile() throws {
        let folder = try makeTemporaryFolder(self)
        let good = try patternImage(width: 30, height: 20).pngData()
        for cut in [good.count / 2, 40, 12] {
            let url = try writeBytes(Array(good.prefix(cut)), folder, "cut\(cut).png")
            assertDataError(.corrupt, file: "cut\(cut).png", mentions: "PNG") { try Image(contentsOf: url) }
        }
        var flipped = good
        flipped[good.count / 2] ^= 0xFF  // corrupts compressed data and its CRC
        let url = try writeBytes(flipped, folder, "flipped.png")
        assertDataError(.corrupt, file: "flipped.png", mentions: "PNG") { try Image(contentsOf: url) }
    }

    func testTruncatedJPEGIsAnErrorNotAGreyImage() throws {
        let folder = try makeTemporaryFolder(self)
        for name in ["rgb_baseline", "rgb_progressive", "gray_baseline"] {
            let bytes = [UInt8](try Data(contentsOf: TestPaths.fixture("jpeg_\(name).jpg")))
            let url = try writeBytes(Array(bytes.prefix(bytes.count * 2 / 3)), folder, "\(name).jpg")
            assertDataError(.corrupt, file: "\(name).jpg", mentions: "truncated") { try Image(contentsOf: url) }
            let header = try writeBytes(Array(bytes.prefix(20)), folder, "\(name)-header.jpg")
            assertDataError(.corrupt, file: "\(name)-header.jpg", mentions: "JPEG") { try Image(contentsOf: header) }
        }
    }

    func testNonImageAndEmptyFilesAreErrors() throws {
        let folder = try makeTemporaryFolder(self)
        let text = try writeBytes(Array("this is not an image\n".utf8), folder, "notes.jpg")
        assertDataError(.corrupt, file: "notes.jpg", mentions: "not a PNG or JPEG") { try Image(contentsOf: text) }
        let empty = try writeBytes([], folder, "empty.png")
        assertDataError(.corrupt, file: "empty.png", mentions: "empty") { try Image(contentsOf: empty) }
        assertDataError(.unreadable, file: "missing.png", mentions: "no such file") {
            try Image(contentsOf: folder.appendingPathComponent("missing.png"))
        }
        let subfolder = folder.appendingPathComponent("photo.png")
        try FileManager.default.createDirectory(at: subfolder, withIntermediateDirectories: false)
        assertDataError(.unreadable, file: "photo.png", mentions: "is a folder, not a file") { try Image(contentsOf: subfolder) }
    }

    func testRealSharedImagesDecode() throws {
        let set5 = try TestPaths.shared("Set5/butterfly.png")
        let butterfly = try Image(contentsOf: set5)
        XCTAssertEqual([butterfly.width, butterfly.height, butterfly.channels], [256, 256, 3])
        let bridge = try Image(contentsOf: try TestPaths.shared("Set14/bridge.png"))
        XCTAssertEqual(bridge.channels, 1)
        let facade = try Image(contentsOf: try TestPaths.shared("facades/train/1.jpg"))
        XCTAssertEqual([facade.width, facade.height, facade.channels], [512, 256, 3])
    }
}
