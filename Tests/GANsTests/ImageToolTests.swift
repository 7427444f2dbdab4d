// The `gan` command on real images: a colour folder for an MNIST-zoo model, and an
// image-to-image model trained, applied to given images and scored against its test pairs.
import Foundation
import Vision
import XCTest
@testable import GANs

final class ImageToolTests: GanToolTestCase {
    func testAnUnconditionalModelTrainsOnAColourFolder() throws {
        let faces = try sharedData("celeba/img_align_celeba")
        let out = work.appendingPathComponent("faces")
        let r = try gan(["train", "dcgan", "--dataset", "folder", "--data-dir", faces.path, "--img-size", "32", "--channels", "3",
                         "--batch-size", "4", "--iterations", "2", "--sample-interval", "2", "--out", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("10000 images from \(faces.path)"), r.stdout)
        // A 5x5 grid of 32x32 colour samples, 2 pixels apart.
        let grid = try Image(contentsOf: out.appendingPathComponent("images/2.png"))
        XCTAssertEqual([grid.width, grid.height, grid.channels], [172, 172, 3])
        let pixels = grid.pixels
        var coloured = 0
        for i in stride(from: 0, to: pixels.count, by: 3) where pixels[i] != pixels[i + 1] || pixels[i] != pixels[i + 2] { coloured += 1 }
        XCTAssertGreaterThan(coloured, 1000, "the samples are in colour")
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["dataset"] as? String, "folder")
        XCTAssertEqual(config["channels"] as? Int, 3)
        // A resumed run keeps its data and refuses another dataset.
        let refused = try gan(["train", "dcgan", "--out", out.path, "--resume", "--dataset", "mnist"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("--dataset differs"), refused.stderr)
    }

    func testAnImageToImageModelTranslatesGivenImagesAndIsScoredOnItsTestPairs() throws {
        let facades = try sharedData("facades")
        let run = work.appendingPathComponent("pix2pix")
        let trained = try gan(["train", "pix2pix", "--data-dir", facades.path, "--iterations", "1", "--sample-interval", "0", "--out", run.path])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertTrue(trained.stdout.contains("400 pairs"), trained.stdout)
        // The picture: 10 test examples as input / output / target, 5 per row.
        let picture = try Image(contentsOf: run.appendingPathComponent("images/1.png"))
        XCTAssertEqual([picture.width, picture.height], [5 * 258 + 2, 2 * (3 * 256 + 2) + 2])

        // The label maps (B halves) of two test pairs, as a user would give them.
        let inputs = work.appendingPathComponent("labels")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        var targets: [Image] = []
        for name in ["1", "10"] {
            let (photo, labels) = try PairedImageDataset.halves(of: try Image(contentsOf: facades.appendingPathComponent("test/\(name).jpg")), file: name)
            try labels.writePNG(to: inputs.appendingPathComponent("facade\(name).png"))
            targets.append(photo)
        }
        let outputs = work.appendingPathComponent("photos")
        let sampled = try gan(["sample", "pix2pix", "--checkpoint", run.path, "--input", inputs.path, "--out", outputs.path])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outputs.path).sorted(), ["facade1.png", "facade10.png"])

        // gan eval scores the same two pairs (test/1.jpg and test/10.jpg come first by name);
        // its L1 agrees with the one of the written 8-bit outputs to within their rounding.
        let scored = try gan(["eval", run.path, "--n", "2", "--json"])
        XCTAssertEqual(scored.status, 0, scored.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(scored.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["n"] as? Int, 2)
        XCTAssertEqual(report["split"] as? String, "test")
        let images = try XCTUnwrap(report["images"] as? [[String: Any]])
        XCTAssertEqual(images.map { $0["file"] as? String }, ["1.jpg", "10.jpg"])
        for (entry, (name, target)) in zip(images, zip(["facade1.png", "facade10.png"], targets)) {
            let output = try Image(contentsOf: outputs.appendingPathComponent(name))
            XCTAssertEqual([output.width, output.height, output.channels], [256, 256, 3])
            var difference = 0
            for (a, b) in zip(output.pixels, target.pixels) { difference += abs(Int(a) - Int(b)) }
            let l1 = Double(difference) / Double(output.pixels.count) / 255
            XCTAssertEqual(try XCTUnwrap(entry["l1"] as? Double), l1, accuracy: 0.003, name)
            let psnr = try XCTUnwrap(entry["psnr"] as? Double), ssim = try XCTUnwrap(entry["ssim"] as? Double)
            XCTAssertTrue(psnr > 0 && psnr < 40 && ssim > -1 && ssim < 1, "\(psnr) \(ssim)")
        }
        let wrong = try gan(["sample", "pix2pix", "--checkpoint", run.path, "--out", outputs.path])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.stderr.contains("give --input"), wrong.stderr)
    }

    func testACorruptImageMidRunStopsWithACheckpointAndTheRunResumesWithoutIt() throws {
        let folder = work.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for i in 0..<4 {
            try Image(width: 20, height: 20, channels: 3, pixels: (0..<1200).map { UInt8(($0 * (i + 3)) % 256) })
                .writePNG(to: folder.appendingPathComponent("\(i).png"))
        }
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00]).write(to: folder.appendingPathComponent("4.jpg"))
        // A seed whose first epoch (batches of 2) reaches the corrupt file (index 4) in its
        // second batch, after one good one.
        func order(_ seed: Int) throws -> [Int] { DataLoader(dataset: try ImageFolderDataset(directory: folder), batchSize: 2, seed: UInt64(seed)).order(epoch: 0) }
        let seed = try XCTUnwrap((0..<50).first { (2..<4).contains(try order($0).firstIndex(of: 4)!) })
        let out = work.appendingPathComponent("run")
        let arguments = ["train", "dcgan", "--dataset", "folder", "--data-dir", folder.path, "--img-size", "16", "--channels", "3",
                         "--batch-size", "2", "--sample-interval", "0", "--checkpoint-interval", "0", "--seed", "\(seed)", "--out", out.path]
        let failed = try gan(arguments + ["--iterations", "8"])
        XCTAssertNotEqual(failed.status, 0)
        XCTAssertTrue(failed.stderr.contains("4.jpg") && failed.stderr.contains("resume"), failed.stderr)
        XCTAssertEqual(failed.stderr.split(separator: "\n").filter { $0.hasPrefix("Error") }.count, 1, failed.stderr)
        XCTAssertEqual(try Checkpoint.readManifest(try Checkpoint.resolve(out.path)).batchesDone, 1, "the work before the bad file is kept")
        // Without the file the run resumes from there.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("4.jpg"))
        let resumed = try gan(["train", "dcgan", "--out", out.path, "--resume", "--seed", "\(seed)", "--iterations", "3"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try Checkpoint.readManifest(try Checkpoint.resolve(out.path)).batchesDone, 3)
        let single = try gan(["train", "dcgan", "--batch-size", "1", "--iterations", "1", "--out", work.appendingPathComponent("one").path])
        XCTAssertNotEqual(single.status, 0)
        XCTAssertTrue(single.stderr.contains("needs at least 2 images per batch"), single.stderr)
    }

    func testBenchTimesTheDataPipelineBesideATrainingStep() throws {
        let r = try gan(["bench", "gan", "--iterations", "2", "--warmup", "1", "--batch-size", "8", "--data", "20", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let data = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(data["batches"] as? Int, 20)
        XCTAssertGreaterThan(try XCTUnwrap(data["batches_per_s"] as? Double), 0)
    }
}
