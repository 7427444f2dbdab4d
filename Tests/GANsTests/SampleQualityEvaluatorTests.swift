import Autograd
import Evaluation
import NN
import XCTest
@testable import GANs

/// A "conditional generator" that returns a real test digit of each requested class, so the
/// scores it gets are known: the path conditional models take through `--eval-interval`.
final class RealDigitModel: GANModel {
    static let info = ModelInfo(name: "real_digits", title: "test stub", citation: "-", conditional: true, architecture: .mlp)
    static var defaults: CommonOptions { CommonOptions() }
    let config = ModelConfig(common: CommonOptions(), extra: ["n-classes": 10])
    let byClass: [[Int]]
    let digits: MNISTTensors
    let identity = Linear(1, 1)

    init(config: ModelConfig, seed: UInt64) { fatalError("built by the test only") }

    init(digits: MNISTTensors) {
        self.digits = digits
        byClass = (0..<10).map { c in digits.labels.indices.filter { digits.labels[$0] == c } }
    }

    var generator: Module { identity }
    var networks: [(name: String, module: Module)] { [("generator", identity)] }
    var optimizers: [(name: String, optimizer: Optimizer)] { [] }
    var randomStreams: [(name: String, generator: RandomGenerator)] { [] }
    var carriedLosses: [String: Float] = [:]
    func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses { [] }

    func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor {
        let wanted = try checkedLabels(labels, count: count, classes: 10, generator: rng)
        var seen = [Int](repeating: 0, count: 10)
        let rows = wanted.map { c -> Int in defer { seen[c] += 1 }; return byClass[c][seen[c] % byClass[c].count] }
        return digits.batch(rows[...]).images
    }
}

final class SampleQualityEvaluatorTests: XCTestCase {
    func testConditionalModelsGetLabelAccuracyFromCyclingLabels() throws {
        let model = RealDigitModel(digits: try MNISTTensors(split: .train, limit: 2000))
        XCTAssertEqual(RunSampling.cyclingLabels(for: model, count: 12), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1])
        let evaluator = SampleQualityEvaluator(scorer: try SampleEvaluator.shipped(), count: 600)
        let scores = Dictionary(uniqueKeysWithValues: try evaluator.evaluate(model))
        XCTAssertGreaterThan(try XCTUnwrap(scores["label_acc"]), 0.98)
        XCTAssertEqual(scores["mode_coverage"], 10)
        XCTAssertLessThan(try XCTUnwrap(scores["fd"]), 25)
    }
}
