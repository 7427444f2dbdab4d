import Autograd
import Foundation
import NN
import Vision
import XCTest
@testable import GANs

/// Runs the built `gan` executable in a fresh working folder per test.
class GanToolTestCase: XCTestCase {
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("swiftgan-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: work)
    }

    /// The `gan` executable next to the test bundle (SwiftPM builds it with the tests).
    static var ganExecutable: URL {
        let candidates = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
            + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for dir in candidates {
            let url = dir.appendingPathComponent("gan")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return candidates[0].appendingPathComponent("gan")
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `gan` with `arguments`; `whileRunning` may signal the process.
    @discardableResult
    func gan(_ arguments: [String], whileRunning: ((Process) -> Void)? = nil) throws -> Result {
        let exe = Self.ganExecutable
        guard FileManager.default.isExecutableFile(atPath: exe.path) else {
            throw XCTSkip("the gan executable was not found at \(exe.path); run `swift build` first")
        }
        let p = Process()
        p.executableURL = exe
        p.arguments = arguments
        p.currentDirectoryURL = work
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        whileRunning?(p)
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

/// The `gan` command end to end, on tiny settings (a slice of real MNIST, small batches).
final class ToolTests: GanToolTestCase {
    let tiny = ["--batch-size", "16", "--data-limit", "64", "--log-interval", "1000"]

    func testTrainWritesConfigImagesMetricsCurveAndCheckpoints() throws {
        let out = work.appendingPathComponent("run")
        let r = try gan(["train", "gan", "--iterations", "6", "--sample-interval", "3", "--checkpoint-interval", "3",
                         "--seed", "1", "--out", out.path] + tiny)
        XCTAssertEqual(r.status, 0, r.stderr)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["model"] as? String, "gan")
        XCTAssertEqual(config["batch_size"] as? Int, 16)
        XCTAssertEqual(config["seed"] as? Int, 1)
        XCTAssertEqual(config["iterations"] as? Int, 6)
        XCTAssertEqual(config["latent_dim"] as? Int, 100)
        XCTAssertEqual(config["lr"] as? Double ?? 0, 0.0002, accuracy: 1e-9)
        XCTAssertNotNil(config["swiftgan_version"])
        for n in [3, 6] {
            // A 5x5 grid of 28x28 digits with torchvision's 2-pixel padding: 5 * 30 + 2.
            let grid = try Image(contentsOf: out.appendingPathComponent("images/\(n).png"))
            XCTAssertEqual(grid.width, 152)
            XCTAssertEqual(grid.height, 152)
        }
        let lines = try String(contentsOf: out.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 6)
        for (i, line) in lines.enumerated() {
            let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(obj["batches_done"] as? Int, i + 1)
            XCTAssertEqual(obj["epoch"] as? Int, i / 4)
            XCTAssertEqual(obj["batch"] as? Int, i % 4)
            XCTAssertNotNil(obj["d_loss"] as? Double)
            XCTAssertNotNil(obj["g_loss"] as? Double)
            XCTAssertNotNil(obj["seconds"] as? Double)
        }
        let svg = try String(contentsOf: out.appendingPathComponent("loss_curve.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("d_loss") && svg.contains("polyline"))
        let manifest = try Checkpoint.readManifest(try Checkpoint.resolve(out.path))
        XCTAssertEqual(manifest.batchesDone, 6)
        XCTAssertEqual(manifest.epoch, 1)
        XCTAssertEqual(manifest.batch, 2)
        // The generator file loads strictly into the model's generator by PyTorch names.
        let model = GAN(config: manifest.config, seed: 5)
        let mismatch = try model.generator.load(from: out.appendingPathComponent("checkpoints/latest/generator.safetensors").path)
        XCTAssertTrue(mismatch.isEmpty)
        let names = try SafeTensors.read(out.appendingPathComponent("checkpoints/latest/generator.safetensors").path).names
        XCTAssertTrue(names.contains("model.0.weight") && names.contains("model.3.running_mean"), "\(names)")
    }

    func testSampleReadsACheckpoint() throws {
        let out = work.appendingPathComponent("run")
        XCTAssertEqual(try gan(["train", "gan", "--iterations", "2", "--out", out.path] + tiny).status, 0)
        let npy = work.appendingPathComponent("s.npy")
        let r = try gan(["sample", "gan", "--checkpoint", out.path, "--n", "10", "--out", npy.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let samples = try NPY.read(npy)
        XCTAssertEqual(samples.shape, [10, 1, 28, 28])
        XCTAssertGreaterThanOrEqual(samples.min().item(), -1)
        XCTAssertLessThanOrEqual(samples.max().item(), 1)
        // Given latent vectors give the same samples every time.
        let z = work.appendingPathComponent("z.npy")
        try NPY.write(Tensor.normal([3, 100], generator: RandomGenerator(seed: 3)), to: z)
        for name in ["a.npy", "b.npy"] {
            XCTAssertEqual(try gan(["sample", "gan", "--checkpoint", out.path, "--z", z.path, "--out", work.appendingPathComponent(name).path]).status, 0)
        }
        XCTAssertEqual(try NPY.read(work.appendingPathComponent("a.npy")).scalars, try NPY.read(work.appendingPathComponent("b.npy")).scalars)
        let png = work.appendingPathComponent("grid.png")
        XCTAssertEqual(try gan(["sample", "gan", "--checkpoint", out.path, "--n", "4", "--out", png.path]).status, 0)
        XCTAssertEqual(try Image(contentsOf: png).width, 2 + 2 * 30)
        // A bare generator state dict (PyTorch names) samples the same as its checkpoint.
        let c = work.appendingPathComponent("c.npy")
        let weights = out.appendingPathComponent("checkpoints/latest/generator.safetensors").path
        XCTAssertEqual(try gan(["sample", "gan", "--generator-weights", weights, "--z", z.path, "--out", c.path]).status, 0)
        XCTAssertEqual(try NPY.read(c).scalars, try NPY.read(work.appendingPathComponent("a.npy")).scalars)
        let wrongShape = try gan(["sample", "gan", "--generator-weights", weights, "--latent-dim", "64", "--out", c.path])
        XCTAssertNotEqual(wrongShape.status, 0)
        XCTAssertTrue(wrongShape.stderr.contains("model.0.weight"), wrongShape.stderr)
        let bad = try gan(["sample", "gan", "--checkpoint", out.path, "--labels", "1,2", "--out", png.path])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("not conditional"), bad.stderr)
    }

    /// N + N iterations with a resume in between equal 2N straight iterations.
    func testResumeGivesTheSameParametersAsAnUninterruptedRun() throws {
        let straight = work.appendingPathComponent("straight"), resumed = work.appendingPathComponent("resumed")
        XCTAssertEqual(try gan(["train", "dcgan", "--iterations", "6", "--out", straight.path, "--batch-size", "8", "--data-limit", "20"]).status, 0)
        XCTAssertEqual(try gan(["train", "dcgan", "--iterations", "3", "--out", resumed.path, "--batch-size", "8", "--data-limit", "20"]).status, 0)
        let r = try gan(["train", "dcgan", "--iterations", "6", "--resume", "--out", resumed.path, "--batch-size", "8", "--data-limit", "20"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for file in ["generator", "discriminator", "optimizer_G", "optimizer_D"] {
            let a = try SafeTensors.read(straight.appendingPathComponent("checkpoints/latest/\(file).safetensors").path)
            let b = try SafeTensors.read(resumed.appendingPathComponent("checkpoints/latest/\(file).safetensors").path)
            XCTAssertEqual(a.names, b.names)
            for name in a.names {
                let x = try XCTUnwrap(a[name]), y = try XCTUnwrap(b[name])
                assertClose(x, y, tolerance: 1e-6, "\(file).\(name)")
            }
        }
        let lines = try String(contentsOf: resumed.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 6)
    }

    func testInterruptWritesACheckpointAndExitsWith130() throws {
        let out = work.appendingPathComponent("run")
        let metrics = out.appendingPathComponent("metrics.jsonl")
        let r = try gan(["train", "gan", "--iterations", "100000", "--checkpoint-interval", "0", "--out", out.path] + tiny) { p in
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                if let text = try? String(contentsOf: metrics, encoding: .utf8), text.split(separator: "\n").count >= 3 { break }
                usleep(20_000)
            }
            kill(p.processIdentifier, SIGINT)
        }
        XCTAssertEqual(r.status, 130, r.stderr)
        XCTAssertTrue(r.stderr.contains("Resume with: gan train gan --out"), r.stderr)
        let manifest = try Checkpoint.readManifest(try Checkpoint.resolve(out.path))
        XCTAssertGreaterThanOrEqual(manifest.batchesDone, 3)
        let lines = try String(contentsOf: metrics, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, manifest.batchesDone)
        let again = try gan(["train", "gan", "--resume", "--iterations", "\(manifest.batchesDone + 2)", "--out", out.path] + tiny)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try Checkpoint.readManifest(try Checkpoint.resolve(out.path)).batchesDone, manifest.batchesDone + 2)
    }

    func testANonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint() throws {
        let out = work.appendingPathComponent("run")
        // An absurd learning rate drives the weights to infinity within a few steps.
        let r = try gan(["train", "gan", "--lr", "1e30", "--iterations", "200", "--checkpoint-interval", "1", "--out", out.path] + tiny)
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("became nan") || r.stderr.contains("became inf"), r.stderr)
        XCTAssertTrue(r.stderr.contains("at iteration"), r.stderr)
        let manifest = try Checkpoint.readManifest(try Checkpoint.resolve(out.path))
        let gen = try SafeTensors.read(Checkpoint.resolve(out.path).appendingPathComponent("generator.safetensors").path)
        for name in gen.names { XCTAssertTrue(try XCTUnwrap(gen[name]).allFinite, "\(name) in the kept checkpoint") }
        XCTAssertLessThan(manifest.batchesDone, 200)
    }

    func testBadOptionsFailBeforeAnyWorkWithOneSentence() throws {
        let out = work.appendingPathComponent("never")
        let empty = work.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let cases: [([String], String)] = [
            (["train", "nosuch"], "unknown model 'nosuch'"),
            (["train", "gan", "--batch-size=0"], "--batch-size must be positive"),
            (["train", "gan", "--latent-dim=-4"], "--latent-dim must be positive"),
            (["train", "gan", "--iterations=-1"], "--iterations must be positive"),
            (["train", "dcgan", "--img-size", "20"], "multiple of 16"),
            (["train", "gan", "--data-dir", work.appendingPathComponent("missing").path], "does not exist"),
            (["train", "gan", "--data-dir", empty.path], "missing MNIST file"),
            (["train", "gan", "--n-critic", "5"], "does not apply to gan"),
            (["train", "gan", "--resume"], "--resume: no checkpoint found"),
            (["sample", "gan", "--checkpoint", work.path, "--out", "x.png"], "no checkpoint found"),
            (["sample", "gan", "--checkpoint", work.path, "--out", "x.jpg"], "must end in .png or .npy"),
        ]
        for (args, expected) in cases {
            let r = try gan(args + (args[0] == "train" ? ["--out", out.path] : []))
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.contains(expected), "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }.count, 1, "\(args): \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "\(args) created the output folder")
        }
    }

    func testListShowsImplementedModels() throws {
        let r = try gan(["list"])
        XCTAssertEqual(r.status, 0)
        for m in Zoo.models { XCTAssertTrue(r.stdout.contains(m.info.name) && r.stdout.contains(m.info.citation)) }
    }

    func testBenchPrintsJSON() throws {
        let r = try gan(["bench", "gan", "--iterations", "2", "--warmup", "1", "--batch-size", "8", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["ms_per_iter", "samples_per_s", "peak_rss_mb", "peak_tensor_mb"] { XCTAssertNotNil(obj[key] as? Double, key) }
        XCTAssertLessThanOrEqual(obj["peak_tensor_mb"] as? Double ?? .infinity, obj["peak_rss_mb"] as? Double ?? 0, "live tensors are part of the resident memory")
        // The products of one iteration at batch 8, 2 * 8 * in * out FLOPs each. G's layers
        // (100-128-256-512-1024-784) sum F_G = 24,059,904, D's (784-512-256-1) F_D = 8,523,776.
        // G step: G forward, D forward, D's data gradients (its weights frozen), G's weight
        // gradients and its data gradients but the first layer's: 3 F_G + 2 F_D - 204,800.
        // D step on the real and the fake batch: forward, weight gradients, data gradients but
        // the first layer's: 6 F_D - 2 * 6,422,528. In all 127,320,064.
        XCTAssertEqual(obj["gflop_per_iter"] as? Double, 0.127320)
        let peak = try XCTUnwrap(obj["fma_peak_gflops"] as? Double), rate = try XCTUnwrap(obj["gflops"] as? Double)
        XCTAssertGreaterThan(peak, 0)
        XCTAssertEqual(try XCTUnwrap(obj["peak_fraction"] as? Double), rate / peak, accuracy: 1e-4 + 1e-3 * rate / peak)
    }
}

func assertClose(_ a: Tensor, _ b: Tensor, tolerance: Float, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.shape, b.shape, what, file: file, line: line)
    let x = a.scalars, y = b.scalars
    guard x.count == y.count else { return }
    var worst: Float = 0
    for i in 0..<x.count { worst = Swift.max(worst, Swift.abs(x[i] - y[i])) }
    XCTAssertLessThanOrEqual(worst, tolerance, "\(what): max difference \(worst)", file: file, line: line)
}
