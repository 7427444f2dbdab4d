import Autograd
import XCTest
@testable import Evaluation

/// The metrics behave as users need on samples whose quality we know: real digits, noise,
/// half the digits, and real digits with their true labels.
final class SampleScoringTests: XCTestCase {
    /// 1,000 real training digits (not the test images the statistics come from).
    func realDigits() throws -> MNISTTensors { try Shared.digits(.train, limit: 1000) }

    func testRealDigitsScoreNearZeroDistanceAndFullCoverage() throws {
        let report = try Shared.evaluator().evaluate(try realDigits().images)
        // Not 0: a 1,000-sample estimate of the covariance carries a bias (10.3 measured;
        // 2.4 at 10,000 samples, see docs/EVALUATION.md).
        XCTAssertLessThan(report.fd, 20, "\(report)")
        XCTAssertEqual(report.modeCoverage, 10)
        XCTAssertGreaterThan(report.classifierScore, 9)
        XCTAssertGreaterThan(report.precision, 0.6)
        XCTAssertGreaterThan(report.recall, 0.6)
        XCTAssertNil(report.labelAccuracy)
    }

    func testUniformNoiseScoresFar() throws {
        let scorer = try Shared.evaluator()
        let real = try scorer.evaluate(try realDigits().images)
        let noise = try scorer.evaluate(Tensor.uniform([1000, 1, 28, 28], low: -1, high: 1, generator: RandomGenerator(seed: 1)))
        XCTAssertGreaterThan(noise.fd, 50 * Swift.max(real.fd, 1), "\(noise)")
        XCTAssertLessThan(noise.recall, 0.05)
        XCTAssertLessThan(noise.classifierScore, 2)
        XCTAssertLessThanOrEqual(noise.modeCoverage, 2)
        // Precision is not asserted: noise features collapse into one small cluster of weak
        // activations that the k-NN balls of a few faint real digits cover (docs/EVALUATION.md).
    }

    func testHalfTheClassesShowsLostCoverage() throws {
        let real = try realDigits()
        let keep = (0..<real.count).filter { real.labels[$0] < 5 }
        let report = try Shared.evaluator().evaluate(real.batch(keep[...]).images)
        XCTAssertEqual(report.modeCoverage, 5)
        XCTAssertEqual(report.histogram[5...].reduce(0, +), 0, accuracy: 10)
        XCTAssertLessThan(report.classifierScore, 5.5)
        XCTAssertLessThan(report.recall, 0.6)
        let full = try Shared.evaluator().evaluate(real.images)
        XCTAssertGreaterThan(report.fd, 10 * full.fd)
    }

    func testLabelAccuracyOfRealDigitsWithTrueLabels() throws {
        let test = try Shared.digits(.test, limit: 1000)
        let report = try Shared.evaluator().evaluate(test.images, labels: test.labels)
        XCTAssertGreaterThan(try XCTUnwrap(report.labelAccuracy), 0.99)
    }

    func testBadInputIsOneClearError() throws {
        let scorer = try Shared.evaluator()
        let images = try realDigits().images.slice(dim: 0, start: 0, end: 20)
        XCTAssertThrowsError(try scorer.evaluate(images, labels: [1, 2])) { XCTAssertEqual("\($0)", "2 labels given for 20 samples") }
        XCTAssertThrowsError(try scorer.evaluate(images, labels: Array(repeating: 12, count: 20))) {
            XCTAssertEqual("\($0)", "label 12 is not a digit 0-9")
        }
        XCTAssertThrowsError(try scorer.evaluate(images.slice(dim: 0, start: 0, end: 5)))
    }

    func testReportJSONHasTheDocumentedKeys() throws {
        let test = try Shared.digits(.test, limit: 100)
        let report = try Shared.evaluator().evaluate(test.images, labels: test.labels)
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        for key in ["n", "fd", "is", "mode_coverage", "precision", "recall", "label_acc", "histogram"] {
            XCTAssertNotNil(obj[key], key)
        }
        XCTAssertEqual(obj["n"] as? Int, 100)
        XCTAssertTrue(report.table.contains("label accuracy"))
    }
}
