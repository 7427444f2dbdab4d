// SIGKILL at awkward moments (inside checkpoint writes, between them): each time --resume
// starts from the newest complete checkpoint, losing at most one checkpoint interval, and the
// finished run equals an uninterrupted one bit for bit. Scripts/kill_test.py does the same
// with 50 kills.
import Foundation
import GANs
import NN
import XCTest

final class KillTests: XCTestCase {
    func testKilledRunsResumeFromTheNewestCompleteCheckpointAndFinishExactly() throws {
        let folder = try temporaryFolder(self)
        let run = folder.appendingPathComponent("run"), straight = folder.appendingPathComponent("straight")
        let checkpoints = run.appendingPathComponent("checkpoints")
        let settings = ["--iterations", "40", "--checkpoint-interval", "3", "--batch-size", "16", "--data-limit", "128",
                        "--sample-interval", "0", "--log-interval", "1000000"]
        func newest() -> Int? { Checkpoint.folders(in: checkpoints).first.flatMap { Int($0.lastPathComponent) } }
        func logged() -> Int {
            let text = (try? String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["batches_done"] as? Int
            }.max() ?? 0
        }
        var killedInWrites = 0
        for round in 0..<4 {
            let before = newest()
            let p = Process()
            p.executableURL = Gan.executable
            p.arguments = before == nil ? ["train", "gan", "--out", run.path] + settings : ["train", "gan", "--out", run.path, "--resume"]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Even kills wait for a checkpoint being written; odd ones come after a few iterations.
            let deadline = Date().addingTimeInterval(60)
            while p.isRunning, Date() < deadline {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? []
                if round % 2 == 0 ? names.contains(where: { $0.hasPrefix(".tmp-") }) : logged() >= (before ?? 0) + 2 + round { break }
                usleep(500)
            }
            XCTAssertTrue(p.isRunning, "kill \(round): the run ended before the kill")
            if (try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path))?.contains(where: { $0.hasPrefix(".tmp-") }) == true {
                killedInWrites += 1
            }
            kill(p.processIdentifier, SIGKILL)
            let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            if let before, printed.contains("Resuming") {
                XCTAssertTrue(printed.contains("Resuming gan from batch \(before) "), "kill \(round): \(printed)")
            }
            let kept = newest() ?? 0
            XCTAssertLessThanOrEqual(logged() - kept, 3, "kill \(round): more than one interval lost")
            if kept > 0 { XCTAssertNoThrow(try Checkpoint.readManifest(try Checkpoint.resolve(run.path)), "kill \(round): latest is not complete") }
        }
        XCTAssertGreaterThanOrEqual(killedInWrites, 1, "no kill landed inside a checkpoint write")
        let finish = try Gan.run(["train", "gan", "--out", run.path, "--resume", "--quiet"])
        XCTAssertEqual(finish.status, 0, finish.stderr)
        XCTAssertEqual(try Gan.run(["train", "gan", "--out", straight.path, "--quiet"] + settings).status, 0)
        for name in ["generator", "discriminator", "optimizer_G", "optimizer_D"] {
            let a = try Data(contentsOf: run.appendingPathComponent("checkpoints/latest/\(name).safetensors"))
            let b = try Data(contentsOf: straight.appendingPathComponent("checkpoints/latest/\(name).safetensors"))
            XCTAssertEqual(a, b, name)
        }
    }
}
