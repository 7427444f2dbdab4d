// `gan train --eval-interval N`: scores samples of the model being trained, so
// metrics.jsonl shows quality over time next to the losses.
import Autograd
import Evaluation

public final class SampleQualityEvaluator: TrainingEvaluator {
    public let scorer: SampleEvaluator
    public let count: Int
    public let seed: UInt64

    /// Scores `count` samples each time, always from the same noise (`seed`), so the
    /// numbers differ only because the generator did.
    public init(scorer: SampleEvaluator, count: Int = 1000, seed: UInt64 = 0xE7A1) {
        self.scorer = scorer
        self.count = count
        self.seed = seed
    }

    public func evaluate(_ model: any GANModel) throws -> [(String, Double)] {
        let (images, labels) = try RunSampling.draw(from: model, count: count, seed: seed)
        return try scorer.evaluate(images, labels: labels).scalars
    }
}
