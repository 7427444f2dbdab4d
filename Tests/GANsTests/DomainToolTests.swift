// The `gan` command on the two-domain models: trained on the small MNIST-M of
// DomainTestData, pictured, sampled, and scored by `gan eval`.
import Foundation
import Vision
import XCTest
@testable import GANs

final class DomainToolTests: GanToolTestCase {
    func testPixelDATrainsTranslatesAndIsScoredOnMNISTMTest() throws {
        let mnistm = try DomainTestData.mnistm()
        let run = work.appendingPathComponent("pixelda")
        let trained = try gan(["train", "pixelda", "--data-dir", mnistm, "--n-residual-blocks", "1", "--batch-size", "4",
                               "--iterations", "2", "--sample-interval", "2", "--out", run.path])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertTrue(trained.stdout.contains("MNIST digits with MNIST-M images"), trained.stdout)
        // 5 examples in a row, each source / translated / target stacked: 32 px tiles 2 apart.
        let picture = try Image(contentsOf: run.appendingPathComponent("images/2.png"))
        XCTAssertEqual([picture.width, picture.height], [5 * 34 + 2, 3 * 32 + 4])
        let scored = try gan(["eval", run.path, "--n", "20", "--json"])
        XCTAssertEqual(scored.status, 0, scored.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(scored.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["target_n"] as? Int, 20)
        XCTAssertEqual(report["source_n"] as? Int, 20)
        let accuracy = try XCTUnwrap(report["target_accuracy"] as? Double)
        XCTAssertTrue((0...1).contains(accuracy))
        // MNIST digits translated by `gan sample --input`.
        let digits = work.appendingPathComponent("digits")
        try FileManager.default.createDirectory(at: digits, withIntermediateDirectories: true)
        try MNIST(split: .test).image(at: 0).writePNG(to: digits.appendingPathComponent("seven.png"))
        let out = work.appendingPathComponent("translated")
        let sampled = try gan(["sample", "pixelda", "--checkpoint", run.path, "--input", digits.path, "--out", out.path])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
        let translated = try Image(contentsOf: out.appendingPathComponent("seven.png"))
        XCTAssertEqual([translated.width, translated.height, translated.channels], [32, 32, 3])
    }

    func testCoGANSamplesPairsAndIsScoredPerDomain() throws {
        let mnistm = try DomainTestData.mnistm()
        let run = work.appendingPathComponent("cogan")
        let trained = try gan(["train", "cogan", "--data-dir", mnistm, "--batch-size", "4", "--iterations", "2",
                               "--sample-interval", "2", "--out", run.path])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        // 25 pairs (64 x 32 each) in 5 rows.
        let picture = try Image(contentsOf: run.appendingPathComponent("images/2.png"))
        XCTAssertEqual([picture.width, picture.height], [5 * 66 + 2, 5 * 34 + 2])
        let out = work.appendingPathComponent("pairs.npy")
        let sampled = try gan(["sample", "cogan", "--checkpoint", run.path, "--n", "3", "--out", out.path])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
        XCTAssertEqual(try NPY.read(out).shape, [3, 3, 32, 64])
        let scored = try gan(["eval", run.path, "--n", "20", "--json"])
        XCTAssertEqual(scored.status, 0, scored.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(scored.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["n"] as? Int, 20)
        XCTAssertNotNil(report["agreement"] as? Double)
        for domain in ["domain1", "domain2_grayscale"] {
            let r = try XCTUnwrap(report[domain] as? [String: Any], domain)
            XCTAssertNotNil(r["fd"] as? Double, domain)
            XCTAssertEqual((r["histogram"] as? [Int])?.reduce(0, +), 20, domain)
        }
    }
}
