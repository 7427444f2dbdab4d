// `--precision bf16` end to end: the run records it, a resume keeps it (and refuses another),
// and the products really change.
import Autograd
import Foundation
import NN
import XCTest

final class PrecisionToolTests: GanToolTestCase {
    let small = ["--batch-size", "8", "--data-limit", "20"]

    override func setUpWithError() throws {
        try super.setUpWithError()
        try XCTSkipUnless(Precision.bf16Supported, "the CPU has no AVX512_BF16")
    }

    func weights(_ run: URL) throws -> StateDict {
        try SafeTensors.read(run.appendingPathComponent("checkpoints/latest/generator.safetensors").path)
    }

    func testBF16RunIsRecordedAndKeptOnResume() throws {
        let straight = work.appendingPathComponent("straight"), resumed = work.appendingPathComponent("resumed")
        let fp32 = work.appendingPathComponent("fp32")
        XCTAssertEqual(try gan(["train", "dcgan", "--iterations", "4", "--precision", "bf16", "--out", straight.path] + small).status, 0)
        XCTAssertEqual(try gan(["train", "dcgan", "--iterations", "4", "--out", fp32.path] + small).status, 0)
        XCTAssertEqual(try gan(["train", "dcgan", "--iterations", "2", "--precision", "bf16", "--out", resumed.path] + small).status, 0)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: resumed.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["precision"] as? String, "bf16")

        let refused = try gan(["train", "dcgan", "--iterations", "4", "--resume", "--precision", "fp32", "--out", resumed.path] + small)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("--precision fp32 differs from the run's (bf16)"), refused.stderr)

        let r = try gan(["train", "dcgan", "--iterations", "4", "--resume", "--out", resumed.path] + small)
        XCTAssertEqual(r.status, 0, r.stderr)
        let a = try weights(straight), b = try weights(resumed), c = try weights(fp32)
        var differsFromFP32 = false
        for name in a.names {
            let x = try XCTUnwrap(a[name]), y = try XCTUnwrap(b[name]), z = try XCTUnwrap(c[name])
            XCTAssertEqual(x.scalars, y.scalars, name)
            if x.scalars != z.scalars { differsFromFP32 = true }
        }
        XCTAssertTrue(differsFromFP32, "the bf16 run trained exactly as the fp32 one")
    }

    func testBenchReportsPrecision() throws {
        let r = try gan(["bench", "gan", "--iterations", "2", "--warmup", "1", "--batch-size", "8", "--precision", "bf16", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(obj["precision"] as? String, "bf16")
    }
}
