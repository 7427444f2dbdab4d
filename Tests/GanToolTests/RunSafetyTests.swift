// Issue 22, end to end: runs that cannot clobber each other, resumes that keep the run,
// write errors, signals and a closed stdout that stop with a checkpoint, divergence in the
// weights, and sizes that cannot fit refused before anything is written.
import Autograd
import Foundation
import GANs
import NN
import XCTest

final class RunSafetyTests: XCTestCase {
    let tiny = ["--batch-size", "8", "--data-limit", "24", "--sample-interval", "0", "--quiet"]

    func manifest(_ run: URL) throws -> CheckpointManifest { try Checkpoint.readManifest(try Checkpoint.resolve(run.path)) }

    func lines(_ file: URL) throws -> [Substring] { try String(contentsOf: file, encoding: .utf8).split(separator: "\n") }

    /// Every tensor of every file of the two runs' latest checkpoints is bitwise the same.
    func assertSameCheckpoints(_ a: URL, _ b: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        for name in ["generator", "discriminator", "optimizer_G", "optimizer_D"] {
            let x = try SafeTensors.read(a.appendingPathComponent("checkpoints/latest/\(name).safetensors").path)
            let y = try SafeTensors.read(b.appendingPathComponent("checkpoints/latest/\(name).safetensors").path)
            XCTAssertEqual(x.names, y.names, file: file, line: line)
            for n in x.names { XCTAssertEqual(x[n]?.scalars, y[n]?.scalars, "\(name).\(n)", file: file, line: line) }
        }
    }

    /// Starts `gan` and returns it with its stderr pipe, for tests that signal it.
    func start(_ arguments: [String]) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = Gan.executable
        p.arguments = arguments
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        return (p, err)
    }

    func waitForLines(_ file: URL, _ n: Int) {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, ((try? lines(file).count) ?? 0) < n { usleep(20_000) }
    }

    func testANewRunNeverOverwritesAnEarlierOne() throws {
        let out = try temporaryFolder(self).appendingPathComponent("run")
        XCTAssertEqual(try Gan.run(["train", "gan", "--iterations", "3", "--out", out.path] + tiny).status, 0)
        let config = try Data(contentsOf: out.appendingPathComponent("config.json"))
        let again = try Gan.run(["train", "gan", "--iterations", "2", "--seed", "4", "--out", out.path] + tiny)
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.hasPrefix("Error: \(out.path) already holds a run; continue it with `gan train gan --out \(out.path) --resume`, or choose another --out"), again.stderr)
        XCTAssertEqual(try lines(out.appendingPathComponent("metrics.jsonl")).count, 3)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("config.json")), config)
        XCTAssertEqual(try manifest(out).batchesDone, 3)
        // A run that stopped before its first iteration left nothing to keep: it starts over.
        let empty = out.deletingLastPathComponent().appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: empty.appendingPathComponent("config.json"))
        XCTAssertEqual(try Gan.run(["train", "gan", "--iterations", "1", "--out", empty.path] + tiny).status, 0)
    }

    func testASecondProcessCannotTrainInTheSameFolderAndSIGTERMStopsWithACheckpoint() throws {
        let out = try temporaryFolder(self).appendingPathComponent("run")
        let (first, err) = try start(["train", "gan", "--iterations", "100000", "--checkpoint-interval", "0", "--out", out.path] + tiny)
        waitForLines(out.appendingPathComponent("metrics.jsonl"), 2)
        for resume in [false, true] {
            let second = try Gan.run(["train", "gan", "--iterations", "5", "--out", out.path] + tiny + (resume ? ["--resume"] : []))
            XCTAssertEqual(second.status, 1)
            XCTAssertTrue(second.stderr.contains("another gan process (pid \(first.processIdentifier)) is training in \(out.path)"), second.stderr)
        }
        kill(first.processIdentifier, SIGTERM)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 128 + SIGTERM, stderr)
        XCTAssertTrue(stderr.contains("Resume with: gan train gan --out \(out.path) --resume"), stderr)
        XCTAssertEqual(try manifest(out).batchesDone, try lines(out.appendingPathComponent("metrics.jsonl")).count)
    }

    func testSIGHUPAndAClosedStdoutDoNotLoseTheRun() throws {
        let folder = try temporaryFolder(self)
        let hup = folder.appendingPathComponent("hup")
        let (p, err) = try start(["train", "gan", "--iterations", "100000", "--checkpoint-interval", "0", "--out", hup.path] + tiny)
        waitForLines(hup.appendingPathComponent("metrics.jsonl"), 2)
        kill(p.processIdentifier, SIGHUP)
        _ = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 128 + SIGHUP)
        XCTAssertGreaterThanOrEqual(try manifest(hup).batchesDone, 2)

        // stdout closed before the first progress line (as `| head -0` would): the run finishes.
        let piped = folder.appendingPathComponent("piped")
        let process = Process()
        process.executableURL = Gan.executable
        process.arguments = ["train", "gan", "--iterations", "6", "--log-interval", "1", "--out", piped.path,
                             "--batch-size", "8", "--data-limit", "24", "--sample-interval", "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        try out.fileHandleForReading.close()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(try manifest(piped).batchesDone, 6)
    }

    func testResumeKeepsTheRunsSettingsAndContinuesItExactly() throws {
        let folder = try temporaryFolder(self)
        let straight = folder.appendingPathComponent("straight"), resumed = folder.appendingPathComponent("resumed")
        let settings = ["--seed", "5", "--checkpoint-interval", "2", "--log-interval", "7", "--batch-size", "8", "--data-limit", "20", "--quiet"]
        XCTAssertEqual(try Gan.run(["train", "dcgan", "--iterations", "6", "--out", straight.path] + settings).status, 0)
        XCTAssertEqual(try Gan.run(["train", "dcgan", "--iterations", "3", "--out", resumed.path] + settings).status, 0)
        // The resume hint alone continues the run as it was: 3 iterations, so nothing to do.
        let hint = try Gan.run(["train", "dcgan", "--out", resumed.path, "--resume", "--quiet"])
        XCTAssertEqual(hint.status, 0, hint.stderr)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: resumed.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["seed"] as? Int, 5)
        XCTAssertEqual(config["iterations"] as? Int, 3)
        XCTAssertEqual(config["checkpoint_interval"] as? Int, 2)
        XCTAssertEqual(config["log_interval"] as? Int, 7)
        XCTAssertEqual(config["data_limit"] as? Int, 20)
        XCTAssertEqual(config["batch_size"] as? Int, 8)
        XCTAssertEqual(try manifest(resumed).seed, 5)
        // Options that would change the run are refused in one sentence.
        for (given, expected) in [(["--seed", "4"], "--seed 4 differs from the run's (5)"), (["--data-limit", "30"], "--data-limit 30 differs from the run's (20)"),
                                  (["--lr", "0.1"], "--lr differs from the run's"), (["--batch-size", "16"], "--batch-size differs from the run's")] {
            let r = try Gan.run(["train", "dcgan", "--out", resumed.path, "--resume"] + given)
            XCTAssertEqual(r.status, 1, "\(given)")
            XCTAssertTrue(r.stderr.hasPrefix("Error: \(expected)"), "\(given): \(r.stderr)")
        }
        // A longer run continues with the seed, data and intervals it started with.
        let longer = try Gan.run(["train", "dcgan", "--out", resumed.path, "--resume", "--iterations", "6", "--quiet"])
        XCTAssertEqual(longer.status, 0, longer.stderr)
        try assertSameCheckpoints(straight, resumed)
        XCTAssertEqual(try lines(resumed.appendingPathComponent("metrics.jsonl")).count, 6)
        XCTAssertEqual(Checkpoint.folders(in: resumed.appendingPathComponent("checkpoints")).map(\.lastPathComponent),
                       ["00000006", "00000004", "00000003"])
    }

    func testResumeFallsBackToTheNewestCompleteCheckpointAndRemovesStaleTemporaries() throws {
        let folder = try temporaryFolder(self)
        let straight = folder.appendingPathComponent("straight"), run = folder.appendingPathComponent("run")
        let settings = ["--checkpoint-interval", "2", "--batch-size", "8", "--data-limit", "24", "--sample-interval", "0", "--quiet"]
        XCTAssertEqual(try Gan.run(["train", "gan", "--iterations", "6", "--out", straight.path] + settings).status, 0)
        XCTAssertEqual(try Gan.run(["train", "gan", "--iterations", "4", "--out", run.path] + settings).status, 0)
        let checkpoints = run.appendingPathComponent("checkpoints")
        // The newest checkpoint damaged (a file cut short), and what a killed writer leaves.
        let generator = checkpoints.appendingPathComponent("00000004/generator.safetensors")
        try Data(try Data(contentsOf: generator).prefix(1000)).write(to: generator)
        try FileManager.default.createDirectory(at: checkpoints.appendingPathComponent(".tmp-00000006-99999"), withIntermediateDirectories: true)
        try Data().write(to: run.appendingPathComponent(".config.json.tmp-99999"))
        let r = try Gan.run(["train", "gan", "--out", run.path, "--resume", "--iterations", "6", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("Checkpoint 00000004 does not load") && r.stderr.contains("kept as damaged-00000004")
                      && r.stderr.contains("resuming from the newest complete one"), r.stderr)
        try assertSameCheckpoints(straight, run)
        let names = try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).sorted()
        XCTAssertEqual(names, ["00000002", "00000004", "00000006", "damaged-00000004", "latest"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.appendingPathComponent(".config.json.tmp-99999").path))
    }

    func testNonFiniteWeightsStopTheRunThoughTheLossesStayFinite() throws {
        // BCE clamps at 100, so the losses stay finite while batch norm's statistics overflow.
        let out = try temporaryFolder(self).appendingPathComponent("run")
        let r = try Gan.run(["train", "dcgan", "--lr", "1e9", "--iterations", "6", "--out", out.path] + tiny)
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("weights") && r.stderr.contains("became non-finite by iteration"), r.stderr)
    }

    func testSizesThatCannotFitAreRefusedBeforeAnythingIsWritten() throws {
        let out = try temporaryFolder(self).appendingPathComponent("run")
        for (given, expected) in [(["--img-size", "4096"], "does not fit in memory"), (["--latent-dim", "1000000000"], "does not fit in memory"),
                                  (["--batch-size", "100000"], "more than the")] {
            let r = try Gan.run(["train", "dcgan", "--iterations", "1", "--out", out.path] + given)
            XCTAssertEqual(r.status, 1, "\(given): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("Error: dcgan") && r.stderr.contains(expected), "\(given): \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "\(given) wrote the run folder")
        }
    }

    /// A 40 MB tmpfs, unmounted when the test ends however it ends; skips where mounting is not permitted.
    func smallDisk() throws -> URL {
        let disk = try temporaryFolder(self).appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=40m", "tmpfs", disk.path]
        mount.standardError = FileHandle.nullDevice
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { throw XCTSkip("cannot mount a small tmpfs here (needs root): the full-disk test is skipped") }
        addTeardownBlock {
            // Lazily, so a process still holding a file in it cannot keep it mounted.
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = ["-l", disk.path]
            try? umount.run()
            umount.waitUntilExit()
        }
        return disk
    }

    /// Fills `disk` with a file that leaves `bytes` free.
    func fill(_ disk: URL, leaving bytes: Int) throws {
        let attributes = try FileManager.default.attributesOfFileSystem(forPath: disk.path)
        let free = try XCTUnwrap(attributes[.systemFreeSize] as? Int)
        try Data(count: free - bytes).write(to: disk.appendingPathComponent("filler"))
    }

    func testAFullDiskStopsWithAMessageAndKeepsTheLastCheckpoint() throws {
        let disk = try smallDisk()
        // Room for one dcgan checkpoint (14 MB) but not two.
        try fill(disk, leaving: 19_000_000)
        let out = disk.appendingPathComponent("run")
        let settings = ["--checkpoint-interval", "2", "--batch-size", "8", "--data-limit", "24", "--sample-interval", "0", "--quiet"]
        let r = try Gan.run(["train", "dcgan", "--iterations", "6", "--out", out.path] + settings)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("Error: cannot write the checkpoint \(out.path)/checkpoints/00000004: ") && r.stderr.contains("No space left on device"), r.stderr)
        XCTAssertTrue(r.stderr.contains("the last checkpoint is \(out.path)/checkpoints/00000002; make room, then resume with"), r.stderr)
        XCTAssertEqual(try manifest(out).batchesDone, 2)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("checkpoints").path).sorted(), ["00000002", "latest"])
        try FileManager.default.removeItem(at: disk.appendingPathComponent("filler"))
        let resumed = try Gan.run(["train", "dcgan", "--out", out.path, "--resume", "--quiet"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try manifest(out).batchesDone, 6)
    }

    func testAFullDiskDuringAMetricsAppendStopsWithAMessageAndKeepsTheLastCheckpoint() throws {
        let disk = try smallDisk()
        let out = disk.appendingPathComponent("run")
        XCTAssertEqual(try Gan.run(["train", "gan", "--iterations", "2", "--checkpoint-interval", "2", "--out", out.path] + tiny).status, 0)
        // Six pages: the resumed run's rewritten metrics and config fit, a few pages of
        // appended metrics lines, then the disk is full (a checkpoint would need 17 MB).
        try fill(disk, leaving: 24_576)
        let r = try Gan.run(["train", "gan", "--out", out.path, "--resume", "--iterations", "100000", "--checkpoint-interval", "100000", "--log-interval", "1", "--quiet"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("Error: cannot write \(out.path)/metrics.jsonl: No space left on device"), r.stderr)
        XCTAssertTrue(r.stderr.contains("the last checkpoint is \(out.path)/checkpoints/00000002; make room, then resume with"), r.stderr)
        XCTAssertEqual(try manifest(out).batchesDone, 2)
        // No half line: every line of metrics.jsonl is a whole record.
        let metrics = try lines(out.appendingPathComponent("metrics.jsonl"))
        XCTAssertGreaterThan(metrics.count, 2)
        for line in metrics { XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(line.utf8)), String(line)) }
        // The checkpoint is whole: it loads (two of gan's 24 MB checkpoints do not fit this disk).
        try FileManager.default.removeItem(at: disk.appendingPathComponent("filler"))
        let sampled = try Gan.run(["sample", "gan", "--checkpoint", out.path, "--out", disk.appendingPathComponent("x.png").path])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
    }

    func testSmallerFaultsGiveOneSentence() throws {
        let folder = try temporaryFolder(self)
        // A negative value after a space reaches the option's own check.
        let negative = try Gan.run(["train", "gan", "--iterations", "-1", "--out", folder.appendingPathComponent("never").path])
        XCTAssertTrue(negative.stderr.hasPrefix("Error: --iterations must be positive, got -1"), negative.stderr)
        // A .npy header whose shape overflows.
        let npy = folder.appendingPathComponent("huge.npy")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 8), }"
        header += String(repeating: " ", count: (64 - (11 + header.utf8.count) % 64) % 64) + "\n"
        try Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + [0, 0, 0, 0]).write(to: npy)
        let overflow = try Gan.run(["eval", npy.path])
        XCTAssertEqual(overflow.status, 1)
        XCTAssertTrue(overflow.stderr.contains("too large to be the file's contents"), overflow.stderr)

        let run = folder.appendingPathComponent("run")
        XCTAssertEqual(try Gan.run(["train", "gan", "--iterations", "1", "--out", run.path] + tiny).status, 0)
        let ignored = try Gan.run(["sample", "gan", "--checkpoint", run.path, "--img-size", "32", "--out", folder.appendingPathComponent("x.png").path])
        XCTAssertTrue(ignored.stderr.hasPrefix("Error: --img-size does not apply with --checkpoint"), ignored.stderr)
        // A generator state dict of another model names its file.
        let weights = run.appendingPathComponent("checkpoints/latest/generator.safetensors").path
        let wrong = try Gan.run(["sample", "dcgan", "--generator-weights", weights, "--out", folder.appendingPathComponent("x.png").path])
        XCTAssertTrue(wrong.stderr.hasPrefix("Error: error loading state dict \(weights) for the model"), wrong.stderr)
        // A generator with a NaN weight writes no picture.
        let file = run.appendingPathComponent("checkpoints/latest/generator.safetensors")
        var dict = try SafeTensors.read(file.path)
        let first = try XCTUnwrap(dict[dict.names[0]])
        var values = first.scalars
        values[0] = .nan
        dict.set(dict.names[0], Tensor(shape: first.shape, scalars: values))
        try SafeTensors.write(dict, to: file.path)
        let png = folder.appendingPathComponent("nan.png")
        let nan = try Gan.run(["sample", "gan", "--checkpoint", run.path, "--out", png.path])
        XCTAssertTrue(nan.stderr.contains("gives NaN or infinite values"), nan.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: png.path))
        // A folder of sample grids (a run's images/) is not scored as one sample per grid.
        let grids = folder.appendingPathComponent("grids")
        XCTAssertEqual(try Gan.run(["train", "gan", "--iterations", "1", "--sample-interval", "1", "--out", grids.path,
                                    "--batch-size", "8", "--data-limit", "24", "--quiet"]).status, 0)
        let scored = try Gan.run(["eval", grids.appendingPathComponent("images").path])
        XCTAssertTrue(scored.stderr.contains("1.png is a grid of 5x5 samples, not one sample"), scored.stderr)
    }
}
