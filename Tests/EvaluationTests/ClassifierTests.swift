import Autograd
import XCTest
@testable import Evaluation

/// The shipped feature network: it loads, classifies, and its features have the promised width.
final class ClassifierTests: XCTestCase {
    func testShippedWeightsReach99PercentOnTestDigits() throws {
        let scorer = try Shared.evaluator()
        // The whole test set (about 20 s in a debug build): the claim is about all of it.
        let test = try Shared.digits(.test, limit: 10_000)
        XCTAssertGreaterThanOrEqual(scorer.classifier.accuracy(images: test.images, labels: test.labels), 0.99)
    }

    func testShippedWeightsAreSmall() throws {
        let url = try ClassifierLocation.builtInWeights()
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        XCTAssertLessThan(size, 2_000_000)
    }

    func testFeaturesHave128DimensionsAndProbabilitiesSumToOne() throws {
        let scorer = try Shared.evaluator()
        let out = scorer.classifier.outputs(for: try Shared.digits(.test, limit: 20).images, batchSize: 7)
        XCTAssertEqual(out.features.count, 20 * MNISTClassifier.featureDimension)
        XCTAssertEqual(out.count, 20)
        for r in 0..<20 {
            XCTAssertEqual(out.probabilities[(r * 10)..<(r * 10 + 10)].reduce(0, +), 1, accuracy: 1e-4)
        }
    }

    func testTrainingIsReproducible() throws {
        // Two tiny runs with one seed give identical weights: the command is repeatable.
        let train = try Shared.digits(.train, limit: 128), test = try Shared.digits(.test, limit: 20)
        var options = ClassifierTrainingOptions()
        options.epochs = 1
        options.batchSize = 64
        let a = try ClassifierTraining.train(options, train: train, test: test)
        let b = try ClassifierTraining.train(options, train: train, test: test)
        XCTAssertEqual(a.fc2.weight.scalars, b.fc2.weight.scalars)
        XCTAssertEqual(a.conv1.weight.scalars, b.conv1.weight.scalars)
    }
}
