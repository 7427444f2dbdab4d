import Foundation
import XCTest
@testable import Evaluation

/// Our metrics against NumPy/SciPy on fixtures (Scripts/make_metric_fixtures.py).
final class MetricParityTests: XCTestCase {
    var fixture: [String: Any] = [:]
    var d = 0

    override func setUpWithError() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/metrics.json")
        fixture = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        d = try XCTUnwrap(fixture["dimension"] as? Int)
    }

    func floats(_ key: String) throws -> [Float] { try XCTUnwrap(fixture[key] as? [Double]).map { Float($0) } }
    func number(_ key: String) throws -> Double { try XCTUnwrap(fixture[key] as? Double) }

    func testFrechetDistanceMatchesSciPy() throws {
        let real = FeatureStatistics(features: try floats("real"), dimension: d)
        let fake = FeatureStatistics(features: try floats("fake"), dimension: d)
        let near = FeatureStatistics(features: try floats("near"), dimension: d)
        XCTAssertEqual(frechetDistance(real, fake), try number("fd_real_fake"), accuracy: 1e-3 * (try number("fd_real_fake")))
        XCTAssertEqual(frechetDistance(real, near), try number("fd_real_near"), accuracy: 1e-5)
        XCTAssertEqual(frechetDistance(real, real), 0, accuracy: 1e-9)
        // Symmetric in its arguments.
        XCTAssertEqual(frechetDistance(fake, real), frechetDistance(real, fake), accuracy: 1e-6)
    }

    func testClassifierScoreMatchesNumPy() throws {
        XCTAssertEqual(classifierScore(probabilities: try floats("probs"), classes: 10), try number("is"), accuracy: 1e-3 * (try number("is")))
        // Bounds: identical rows score 1; confident, balanced predictions score the class count.
        XCTAssertEqual(classifierScore(probabilities: [0.5, 0.5, 0.5, 0.5], classes: 2), 1, accuracy: 1e-9)
        XCTAssertEqual(classifierScore(probabilities: [1, 0, 0, 1], classes: 2), 2, accuracy: 1e-9)
    }

    func testPrecisionRecallMatchesNumPy() throws {
        let nr = try XCTUnwrap(fixture["pr_n_real"] as? Int), nf = try XCTUnwrap(fixture["pr_n_fake"] as? Int)
        let real = Array(try floats("real").prefix(nr * d)), fake = Array(try floats("fake").prefix(nf * d))
        let pr = precisionRecall(real: real, generated: fake, dimension: d, k: 3)
        XCTAssertEqual(pr.precision, try number("precision"), accuracy: 1e-3)
        XCTAssertEqual(pr.recall, try number("recall"), accuracy: 1e-3)
    }

    func testEigenDecompositionReconstructs() {
        let a: [Double] = [4, 1, 2, 1, 3, 0, 2, 0, 5]
        let e = SymmetricEigen(a, n: 3)
        let back = e.reconstruct { $0 }
        for i in 0..<9 { XCTAssertEqual(back[i], a[i], accuracy: 1e-12) }
        let root = e.reconstruct { $0.squareRoot() }
        let sq = multiply(root, root, 3)
        for i in 0..<9 { XCTAssertEqual(sq[i], a[i], accuracy: 1e-12) }
        XCTAssertEqual(e.values.reduce(0, +), 12, accuracy: 1e-12)
    }

    func testCoverageHistogramAndLabelAccuracy() {
        let h = classHistogram(predictions: [0, 0, 1, 2, 2, 2, 9], classes: 10)
        XCTAssertEqual(h, [2, 1, 3, 0, 0, 0, 0, 0, 0, 1])
        XCTAssertEqual(modeCoverage(histogram: h), 4)
        XCTAssertEqual(modeCoverage(histogram: [98, 1, 1], threshold: 0.02), 1)
        XCTAssertEqual(labelAccuracy(predictions: [1, 2, 3, 4], labels: [1, 2, 0, 4]), 0.75)
    }

    func testMatchedLabelAccuracyFindsTheBestRenaming() {
        // Codes 0..9 generate digits (code + 3) % 10: plain accuracy 0, matched 1.
        let labels = (0..<100).map { $0 % 10 }
        let shifted = labels.map { ($0 + 3) % 10 }
        XCTAssertEqual(labelAccuracy(predictions: shifted, labels: labels), 0)
        XCTAssertEqual(matchedLabelAccuracy(predictions: shifted, labels: labels, classes: 10), 1)
        // Two codes make the same digit: only one of them can be matched to it.
        // codes 0, 1 -> digit 0 (4 samples each); code 2 -> digit 2 (2 samples).
        let codes = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2], digits = [0, 0, 0, 0, 0, 0, 0, 0, 2, 2]
        XCTAssertEqual(matchedLabelAccuracy(predictions: digits, labels: codes, classes: 3), 0.6, accuracy: 1e-12)
        // The matching never scores below the plain accuracy.
        let noisy = labels.enumerated().map { $0.offset % 7 == 0 ? ($0.element + 1) % 10 : $0.element }
        XCTAssertGreaterThanOrEqual(matchedLabelAccuracy(predictions: noisy, labels: labels, classes: 10),
                                    labelAccuracy(predictions: noisy, labels: labels))
    }
}
