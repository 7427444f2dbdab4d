import Autograd
import Foundation
import NN
import Vision
import XCTest
@testable import GANs

/// `gan eval` for super-resolution (PSNR/SSIM on Y against bicubic) and inpainting (L1/PSNR
/// in the hole against the mean face).
final class RestorationEvaluationTests: XCTestCase {
    /// The bicubic column on two Set5 images: the PSNR numpy computes from PIL's bicubic
    /// resizing (the factor-4 crop, BT.601 Y of the 8-bit images, 4-pixel border cropped):
    /// bird 30.1835 dB, butterfly 22.1007 dB.
    func testSuperResolutionAgainstBicubic() throws {
        let set5 = try sharedData("Set5")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftgan-set5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["bird.png", "butterfly.png"] {
            try FileManager.default.copyItem(at: set5.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let model = SRGAN(config: try SuperResolutionModelTests.config(SRGAN.self, ["n-residual-blocks": 1], vgg: false), seed: 0)
        let report = try SuperResolutionEvaluation.run(model, benchmarks: [folder])
        let b = try XCTUnwrap(report.benchmarks.first)
        XCTAssertEqual(b.files, ["bird.png", "butterfly.png"])
        XCTAssertEqual(b.bicubic.psnr[0], 30.18352681194406, accuracy: 0.01)
        XCTAssertEqual(b.bicubic.psnr[1], 22.100703650607425, accuracy: 0.01)
        XCTAssertTrue(b.bicubic.ssim.allSatisfy { $0 > 0.7 && $0 < 1 })
        // An untrained G is far worse than bicubic.
        XCTAssertLessThan(b.model.meanPSNR, b.bicubic.meanPSNR)
        XCTAssertTrue(report.table.contains("bicubic"))
    }

    func testLumaOfWhiteAndBlack() {
        let white = Tensor.ones([1, 3, 10, 10]), black = Tensor.zeros([1, 3, 10, 10])
        let y = SuperResolutionEvaluation.luma(Tensor.concat([white, black], dim: 3), border: 2)
        XCTAssertEqual(y.shape, [1, 1, 6, 16])
        XCTAssertEqual(y.scalars[0], 235 / 255, accuracy: 1e-6)
        XCTAssertEqual(y.scalars[15], 16 / 255, accuracy: 1e-6)
    }

    func testInpaintingAgainstTheMeanFace() throws {
        let model = ContextEncoder(config: try InpaintingModelTests.contextEncoderConfig(), seed: 0)
        let report = try InpaintingEvaluation.run(model, limit: 3, meanOf: 5)
        XCTAssertEqual(report.images, 3)
        XCTAssertEqual(report.hole, ImageRegion(x: 8, y: 8, width: 16, height: 16))
        XCTAssertEqual(report.meanFaceOf, 5)
        // The mean-face baseline recomputed here from the files.
        let data = try TrainingData(ContextEncoder.self, config: model.config)
        let split = try TrainingData.heldOutSplit(URL(fileURLWithPath: try InpaintingModelTests.faces()).appendingPathComponent("img_align_celeba"), last: 1000)
        func load(_ files: [URL]) throws -> Tensor {
            let t = data.transform(random: false)
            return Tensor.concat(try files.map { let f = t.apply(try Image(contentsOf: $0), generator: RandomGenerator(seed: 0))
                                                 return Tensor(shape: [1] + f.shape, scalars: f.values) }, dim: 0)
        }
        let mean = (try load(Array(split.kept.prefix(5)))).mean(dim: 0, keepDim: true)
        let held = try load(Array(split.heldOut.prefix(3)))
        func hole(_ t: Tensor) -> Tensor { ((t + 1) / 2).slice(dim: 2, start: 8, end: 24).slice(dim: 3, start: 8, end: 24) }
        for i in 0..<3 {
            let expected = (hole(mean) - hole(held.slice(dim: 0, start: i, end: i + 1))).abs().mean().item()
            XCTAssertEqual(report.meanFaceL1[i], Double(expected), accuracy: 1e-5)
        }
        XCTAssertEqual(report.l1.count, 3)
        XCTAssertTrue(report.psnr.allSatisfy(\.isFinite))
    }
}
