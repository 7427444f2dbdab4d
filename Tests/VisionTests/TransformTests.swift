// Transforms: resizing against Pillow's output, crops, flips, colour and float conversion.
import Autograd
import Foundation
import XCTest
@testable import Vision

final class TransformTests: XCTestCase {
    // Same fixed-point arithmetic as Pillow, so the bytes are identical.
    func testResizeMatchesPillowBilinearAndBicubic() throws {
        let source = try Image(contentsOf: TestPaths.fixture("resize_source.png"))
        let gray = try Image(contentsOf: TestPaths.fixture("resize_source_gray.png"))
        for (filterName, filter) in [("bilinear", ResizeFilter.bilinear), ("bicubic", .bicubic)] {
            for tag in ["down", "up", "mixed"] {
                for (prefix, input) in [("resize_", source), ("resize_gray_", gray)] {
                    let expected = try Image(contentsOf: TestPaths.fixture("\(prefix)\(filterName)_\(tag).png"))
                    let result = input.resized(width: expected.width, height: expected.height, filter: filter)
                    XCTAssertEqual(result.channels, expected.channels)
                    XCTAssertEqual(maxDifference(result.pixels, expected.pixels), 0, "\(prefix)\(filterName)_\(tag)")
                }
            }
        }
    }

    func testResizeToSameSizeIsIdentity() {
        let image = patternImage(width: 9, height: 5)
        XCTAssertEqual(image.resized(width: 9, height: 5, filter: .bicubic), image)
    }

    func testCropsAndFlip() {
        let image = patternImage(width: 6, height: 4, channels: 1)
        let crop = image.cropped(left: 2, top: 1, width: 3, height: 2)
        XCTAssertEqual(crop.pixels, [image[2, 1, 0], image[3, 1, 0], image[4, 1, 0], image[2, 2, 0], image[3, 2, 0], image[4, 2, 0]])
        // Outside the image is black, as torchvision pads.
        let padded = image.cropped(left: -1, top: 0, width: 2, height: 1)
        XCTAssertEqual(padded.pixels, [0, image[0, 0, 0]])
        // torchvision: top = round((4 - 1) / 2) = round(1.5) = 2, left = round(2.5) = 2 (ties to even).
        let center = image.centerCropped(width: 1, height: 1)
        XCTAssertEqual(center.pixels, [image[2, 2, 0]])
        let flipped = image.flippedHorizontally()
        XCTAssertEqual(flipped[0, 3, 0], image[5, 3, 0])
        XCTAssertEqual(flipped.flippedHorizontally(), image)
    }

    func testGrayAndRGBConversionsFollowPillow() throws {
        let rgb = try Image(contentsOf: TestPaths.fixture("resize_source.png"))
        let pillowGray = try Image(contentsOf: TestPaths.fixture("resize_source_gray.png"))
        XCTAssertEqual(rgb.grayscale(), pillowGray)
        let back = pillowGray.rgb()
        XCTAssertEqual(back.channels, 3)
        XCTAssertEqual([back[4, 3, 0], back[4, 3, 1], back[4, 3, 2]], [UInt8](repeating: pillowGray[4, 3, 0], count: 3))
        let rgba = try Image(contentsOf: TestPaths.fixture("png_rgba.png"))
        let rgbOnly = try Image(contentsOf: TestPaths.fixture("png_rgb.png"))
        XCTAssertEqual(rgba.rgb(), rgbOnly)
    }

    func testFloatConversionAndNormalisation() {
        let image = Image(width: 2, height: 1, channels: 3, pixels: [0, 51, 255, 255, 102, 0])
        let plain = image.floatCHW()
        XCTAssertEqual(plain.shape, [3, 1, 2])
        XCTAssertEqual(plain.values, [0, 1, 0.2, 0.4, 1, 0])
        let normalized = image.floatCHW(mean: [0.5], std: [0.5])
        XCTAssertEqual(normalized.values, [-1, 1, -0.6, -0.2, 1, -1].map { Float($0) }, accuracy: 1e-6)
        XCTAssertEqual(plain.normalized(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]).values, normalized.values, accuracy: 1e-6)
    }

    func testPipelineSharesRandomCropAndFlipAcrossAPair() {
        let a = patternImage(width: 20, height: 16, seed: 1)
        let b = patternImage(width: 20, height: 16, seed: 2)
        let transform = ImageTransform([.randomCrop(width: 8, height: 8), .randomHorizontalFlip(probability: 0.5)])
        var flips = 0
        for seed in 0..<20 {
            let out = transform.applySteps([a, b], generator: RandomGenerator(seed: UInt64(seed)))
            // Locate the crop of A (pixels identify their position), then check B's matches.
            let again = transform.applySteps([a, b], generator: RandomGenerator(seed: UInt64(seed)))
            XCTAssertEqual(out, again, "same seed, same crop")
            let candidates = (0...12).flatMap { left in (0...8).map { (left, $0) } }
            let match = candidates.first { (left, top) in
                let crop = a.cropped(left: left, top: top, width: 8, height: 8)
                return crop == out[0] || crop.flippedHorizontally() == out[0]
            }
            guard let (left, top) = match else { return XCTFail("crop of A not found") }
            let cropB = b.cropped(left: left, top: top, width: 8, height: 8)
            let flipped = cropB != out[1]
            if flipped { flips += 1 }
            XCTAssertEqual(flipped ? cropB.flippedHorizontally() : cropB, out[1])
        }
        XCTAssertTrue((3...17).contains(flips), "flip probability 0.5 gave \(flips) of 20")
    }

    func testShorterSideResizeFollowsTorchvision() {
        let image = patternImage(width: 89, height: 109)
        let out = ImageTransform([.resizeShorterSide(64, filter: .bilinear), .centerCrop(width: 64, height: 64)])
            .apply(image, generator: RandomGenerator(seed: 0))
        XCTAssertEqual(out.shape, [3, 64, 64])
        XCTAssertTrue(ImageTransform.shorterSideSize(width: 89, height: 109, to: 64) == (64, 78))
    }
}

func XCTAssertEqual(_ a: [Float], _ b: [Float], accuracy: Float, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) where abs(x - y) > accuracy {
        XCTFail("\(a) != \(b) (accuracy \(accuracy))", file: file, line: line)
        return
    }
}
