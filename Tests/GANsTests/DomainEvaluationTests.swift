import Autograd
import Evaluation
import Foundation
import NN
import Vision
import XCTest
@testable import GANs

/// `gan eval` of the two-domain models, on answers known by construction.
final class DomainEvaluationTests: XCTestCase {
    /// A classifier that answers 3 whatever the image: its accuracy is the share of 3s.
    func testPixelDATaskAccuracyIsMeasuredOnBothTestSplits() throws {
        let model = PixelDA(config: try PixelDATests.smallConfig(), seed: 0)
        let output = model.classifier.outputLayer[0] as! Linear
        output.weight.assign(Tensor.zeros(output.weight.shape))
        output.bias!.assign(Tensor(shape: [10], scalars: (0..<10).map { $0 == 3 ? 1 : 0 }))
        let report = try DomainEvaluation.taskAccuracy(model, limit: 40)
        let mnistm = try MNISTM(split: .test, directory: URL(fileURLWithPath: try DomainTestData.mnistm()))
        let mnist = try MNIST(split: .test)
        XCTAssertEqual(report.targetCount, 40)
        XCTAssertEqual(report.sourceCount, 40)
        XCTAssertEqual(report.targetAccuracy, Double(mnistm.labels.prefix(40).filter { $0 == 3 }.count) / 40)
        XCTAssertEqual(report.sourceAccuracy, Double(mnist.labels.prefix(40).filter { $0 == 3 }.count) / 40)
        XCTAssertGreaterThan(report.targetAccuracy, 0)
        XCTAssertEqual(try DomainEvaluation.taskAccuracy(model, limit: 60).targetCount, 48, "at most the whole test split")
        XCTAssertTrue(report.table.contains("MNIST-M (target)"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        XCTAssertEqual(json["target_n"] as? Int, 40)
        XCTAssertEqual(json["split"] as? String, "test")
    }

    func testGrayscaleIsPILsLuma() {
        let rgb = Tensor(shape: [1, 3, 1, 2], scalars: [1, -1, 0.5, -1, -0.5, 1])
        let gray = DomainEvaluation.grayscale(rgb)
        XCTAssertEqual(gray.shape, [1, 1, 1, 2])
        // Pixel 0 is (R 1, G 0.5, B -0.5), pixel 1 (R -1, G -1, B 1).
        XCTAssertEqual(gray.scalars[0], 0.299 + 0.587 * 0.5 - 0.114 * 0.5, accuracy: 1e-6)
        XCTAssertEqual(gray.scalars[1], -0.299 - 0.587 + 0.114, accuracy: 1e-6)
        XCTAssertTrue(DomainEvaluation.grayscale(Tensor.ones([2, 3, 4, 4])).scalars.allSatisfy { abs($0 - 1) < 1e-6 })
    }

    /// With domain 2's head a copy of domain 1's, both domains draw the same images: every
    /// pair agrees and the two reports are the same.
    func testCoGANPairsAgreeWhenTheHeadsAreTheSame() throws {
        let model = CoGAN(config: try CoGANTests.config(), seed: 0)
        try model.coupledGenerators.G2.loadStateDict(model.coupledGenerators.G1.stateDict())
        let report = try DomainEvaluation.coupledSamples(model, scorer: try SampleEvaluator.shipped(), count: 30, seed: 2)
        XCTAssertEqual(report.agreement, 1)
        XCTAssertEqual(report.domain1, report.domain2)
        XCTAssertEqual(report.domain1.n, 30)
        XCTAssertTrue(report.table.contains("grayscale"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        XCTAssertEqual(json["agreement"] as? Double, 1)
        XCTAssertNotNil(json["domain2_grayscale"] as? [String: Any])
    }
}
