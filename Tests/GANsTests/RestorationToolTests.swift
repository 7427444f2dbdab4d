// The `gan` command with the inpainting and super-resolution models: a short run each, an
// image enlarged or a region filled from its checkpoint, scores, and the missing-VGG19 stop.
import Foundation
import Vision
import XCTest
@testable import GANs

final class RestorationToolTests: GanToolTestCase {
    func testSuperResolutionTrainsEnlargesAndIsScored() throws {
        let photos = try sharedData("BSDS500"), set5 = try sharedData("Set5")
        let run = work.appendingPathComponent("srgan")
        let common = ["--data-dir", photos.path, "--img-size", "32", "--batch-size", "2", "--n-residual-blocks", "1",
                      "--iterations", "1", "--sample-interval", "0", "--out", run.path]
        let refused = try gan(["train", "srgan"] + common)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("srgan's perceptual loss needs ImageNet-trained VGG19 weights"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.path), "nothing written before the first step")
        let trained = try gan(["train", "srgan", "--content-loss", "pixel"] + common)
        XCTAssertEqual(trained.status, 0, trained.stderr)

        // A 30x22 photo becomes 120x88, whole.
        let small = work.appendingPathComponent("small.png"), big = work.appendingPathComponent("big.png")
        try Image(contentsOf: set5.appendingPathComponent("bird.png")).cropped(left: 100, top: 90, width: 30, height: 22).writePNG(to: small)
        let sampled = try gan(["sample", "srgan", "--checkpoint", run.path, "--input", small.path, "--out", big.path])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
        let output = try Image(contentsOf: big)
        XCTAssertEqual([output.width, output.height, output.channels], [120, 88, 3])
        // In 8x8 tiles (16 pixels of margin cover G's context): the same picture but for rounding.
        let tiledURL = work.appendingPathComponent("tiled.png")
        let tiledRun = try gan(["sample", "srgan", "--checkpoint", run.path, "--input", small.path, "--tile", "8", "--out", tiledURL.path])
        XCTAssertEqual(tiledRun.status, 0, tiledRun.stderr)
        let tiled = try Image(contentsOf: tiledURL)
        XCTAssertEqual(tiled.pixels.count, output.pixels.count)
        XCTAssertLessThanOrEqual(zip(tiled.pixels, output.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 99, 1)

        // Scores next to bicubic on a one-image benchmark.
        let bench = work.appendingPathComponent("bench")
        try FileManager.default.createDirectory(at: bench, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: set5.appendingPathComponent("bird.png"), to: bench.appendingPathComponent("bird.png"))
        let scored = try gan(["eval", run.path, "--benchmark", bench.path, "--json"])
        XCTAssertEqual(scored.status, 0, scored.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(scored.stdout.utf8)) as? [String: Any])
        let first = try XCTUnwrap((report["benchmarks"] as? [[String: Any]])?.first)
        XCTAssertEqual(try XCTUnwrap(first["bicubic_psnr"] as? Double), 30.1835, accuracy: 0.01)
        XCTAssertEqual(first["n"] as? Int, 1)
    }

    /// `gan bench` loads what training loads before the first step: srgan's VGG19, or the
    /// sentence saying it is missing.
    func testBenchLoadsTheVGG19LikeTraining() throws {
        let common = ["bench", "srgan", "--data-dir", try sharedData("BSDS500").path, "--img-size", "32", "--batch-size", "2",
                      "--n-residual-blocks", "1", "--iterations", "1", "--warmup", "0", "--json"]
        let refused = try gan(common)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("srgan's perceptual loss needs ImageNet-trained VGG19 weights"), refused.stderr)
        let timed = try gan(common + ["--vgg19", try SuperResolutionModelTests.randomVGG19()])
        XCTAssertEqual(timed.status, 0, timed.stderr)
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(timed.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(obj["model"] as? String, "srgan")
    }

    func testAnInpaintingModelFillsAGivenRegion() throws {
        let faces = try sharedData("celeba")
        let run = work.appendingPathComponent("context_encoder")
        let trained = try gan(["train", "context_encoder", "--data-dir", faces.path, "--img-size", "32", "--batch-size", "2",
                               "--iterations", "1", "--sample-interval", "1", "--out", run.path])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertTrue(trained.stdout.contains("9000 images (1000 more held out)"), trained.stdout)
        // The picture: 12 held-out faces as masked / filled / original, 6 per row.
        let picture = try Image(contentsOf: run.appendingPathComponent("images/1.png"))
        XCTAssertEqual([picture.width, picture.height], [6 * 34 + 2, 2 * (3 * 32 + 2) + 2])

        let face = faces.appendingPathComponent("img_align_celeba/009999.jpg"), out = work.appendingPathComponent("filled.png")
        let missing = try gan(["sample", "context_encoder", "--checkpoint", run.path, "--input", face.path, "--out", out.path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("--mask x,y,w,h"), missing.stderr)
        let filled = try gan(["sample", "context_encoder", "--checkpoint", run.path, "--input", face.path, "--mask", "4,6,10,8", "--out", out.path])
        XCTAssertEqual(filled.status, 0, filled.stderr)
        let image = try Image(contentsOf: out)
        XCTAssertEqual([image.width, image.height], [32, 32])
    }
}
