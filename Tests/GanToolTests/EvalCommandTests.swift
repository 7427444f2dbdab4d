import Autograd
import Evaluation
import Foundation
import Vision
import XCTest

/// `gan eval` end to end on every kind of input, and `gan train --eval-interval`.
final class EvalCommandTests: XCTestCase {
    static let keys = ["n", "fd", "is", "mode_coverage", "precision", "recall", "histogram"]

    func realDigits(_ n: Int) throws -> MNISTTensors { try MNISTTensors(split: .test, limit: n) }

    func testNPYWithLabelsFile() throws {
        let dir = try temporaryFolder(self)
        let real = try realDigits(300)
        try NPY.write(real.images, to: dir.appendingPathComponent("s.npy"))
        try real.labels.map(String.init).joined(separator: "\n").write(to: dir.appendingPathComponent("labels.txt"), atomically: true, encoding: .utf8)
        let r = try Gan.run(["eval", dir.appendingPathComponent("s.npy").path, "--labels", dir.appendingPathComponent("labels.txt").path, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        for k in Self.keys + ["label_acc"] { XCTAssertNotNil(obj[k], k) }
        XCTAssertEqual(obj["n"] as? Int, 300)
        XCTAssertGreaterThan(try XCTUnwrap(obj["label_acc"] as? Double), 0.97)
        XCTAssertEqual(obj["mode_coverage"] as? Int, 10)
    }

    func testPNGFolderAndHumanTable() throws {
        let dir = try temporaryFolder(self)
        let real = try realDigits(40)
        for i in 0..<40 {
            let one = real.images.slice(dim: 0, start: i, end: i + 1).reshape([1, 28, 28])
            try imageFromTensor((one + 1) * 0.5).writePNG(to: dir.appendingPathComponent(String(format: "%03d.png", i)))
        }
        let json = try Gan.run(["eval", dir.path, "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        XCTAssertEqual(try json.json()["n"] as? Int, 40)
        let table = try Gan.run(["eval", dir.path, "--n", "30"])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("Fréchet distance"), table.stdout)
        XCTAssertTrue(table.stdout.contains("samples") && table.stdout.contains("30"), table.stdout)
    }

    func testGridPNG() throws {
        let dir = try temporaryFolder(self)
        let url = dir.appendingPathComponent("grid.png")
        try saveImageGrid(try realDigits(100).images, to: url, nrow: 10, normalize: true)
        let r = try Gan.run(["eval", url.path, "--grid-nrow", "10", "--grid-padding", "2", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try r.json()
        XCTAssertEqual(obj["n"] as? Int, 100)
        XCTAssertEqual(obj["mode_coverage"] as? Int, 10)
    }

    func testBadInputGivesOneLineAndFailure() throws {
        let dir = try temporaryFolder(self)
        let missing = try Gan.run(["eval", dir.appendingPathComponent("nope.npy").path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("does not exist"), missing.stderr)
        try Data("hello".utf8).write(to: dir.appendingPathComponent("x.txt"))
        let wrongKind = try Gan.run(["eval", dir.appendingPathComponent("x.txt").path])
        XCTAssertNotEqual(wrongKind.status, 0)
        XCTAssertTrue(wrongKind.stderr.contains("is not a run folder, a .npy file"), wrongKind.stderr)
        // The sentence comes first, on one line (ArgumentParser follows it with the usage).
        XCTAssertTrue(wrongKind.stderr.hasPrefix("Error: ") && wrongKind.stderr.split(separator: "\n")[0].hasSuffix("or a .png grid"),
                      wrongKind.stderr)
    }

    func testTrainWithEvalIntervalLogsMetricsAndRunFolderEvaluates() throws {
        let dir = try temporaryFolder(self)
        let out = dir.appendingPathComponent("run")
        let train = try Gan.run(["train", "gan", "--iterations", "2", "--batch-size", "16", "--data-limit", "64",
                                 "--eval-interval", "2", "--out", out.path, "--quiet"])
        XCTAssertEqual(train.status, 0, train.stderr)
        let lines = try String(contentsOf: out.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        XCTAssertEqual(lines.count, 2)
        XCTAssertNil(lines[0]["fd"], "no evaluation before the interval")
        for k in ["fd", "is", "mode_coverage", "precision", "recall"] { XCTAssertNotNil(lines[1][k], "\(k) in \(lines[1])") }

        let eval = try Gan.run(["eval", out.path, "--n", "200", "--json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let obj = try eval.json()
        XCTAssertEqual(obj["n"] as? Int, 200)
        // Two iterations of training make noise, far from real digits.
        XCTAssertGreaterThan(try XCTUnwrap(obj["fd"] as? Double), 20)
    }
}
