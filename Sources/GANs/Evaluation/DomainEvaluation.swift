// `gan eval` for the two-domain models. pixelda: its task classifier's accuracy on the
// target domain's test split (never seen in training), beside the source's. cogan: each
// domain's samples scored with the MNIST metrics (the MNIST-M side after a grayscale
// conversion, so through features of a classifier that never saw colour or textures), and
// how often the two images of a pair show the same digit.
import Autograd
import Evaluation
import Foundation
import NN
import Vision

/// pixelda's classifier on the test splits.
public struct TaskAccuracyReport: Sendable {
    public let targetCount: Int
    /// Fraction of MNIST-M test images classified as their digit.
    public let targetAccuracy: Double
    public let sourceCount: Int
    /// The same on MNIST's test split.
    public let sourceAccuracy: Double

    public var json: String {
        let obj: [String: Any] = ["split": "test", "target_n": targetCount, "target_accuracy": targetAccuracy,
                                  "source_n": sourceCount, "source_accuracy": sourceAccuracy]
        let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    public var table: String {
        """
        task classifier on the test splits (never seen in training)
        MNIST-M (target)  \(String(format: "%.4f", targetAccuracy))  accuracy on \(targetCount) images
        MNIST (source)    \(String(format: "%.4f", sourceAccuracy))  accuracy on \(sourceCount) images
        """
    }
}

/// cogan's pairs: each domain's report and the pairs' digit agreement.
public struct CoupledSampleReport: Sendable {
    public let domain1: EvaluationReport
    /// Scored after the grayscale conversion (ITU-R 601 luma).
    public let domain2: EvaluationReport
    /// Fraction of pairs whose two images the classifier reads as the same digit.
    public let agreement: Double

    public var json: String {
        func object(_ r: EvaluationReport) -> Any { (try? JSONSerialization.jsonObject(with: Data(r.json.utf8))) ?? [:] }
        let obj: [String: Any] = ["n": domain1.n, "domain1": object(domain1), "domain2_grayscale": object(domain2), "agreement": agreement]
        let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    public var table: String {
        """
        \(domain1.n) pairs of samples (one noise vector each)
        pairs showing the same digit  \(String(format: "%.3f", agreement))

        domain 1 (MNIST)
        \(domain1.table)

        domain 2 (MNIST-M, converted to grayscale: features of a classifier trained on MNIST digits)
        \(domain2.table)
        """
    }
}

public enum DomainEvaluation {
    /// A pixelda run's model with its generator's and its classifier's weights.
    public static func loadPixelDA(_ path: String) throws -> PixelDA {
        guard let model = try RunSampling.loadGenerator(path) as? PixelDA else {
            throw EvaluationError("\(path) is not a pixelda run")
        }
        let folder = try Checkpoint.resolve(path)
        _ = try model.classifier.load(from: folder.appendingPathComponent("classifier.safetensors").path)
        return model
    }

    /// The classifier's accuracy on the MNIST-M and MNIST test splits (their first `limit`
    /// images when given), read as the run's training data is.
    public static func taskAccuracy(_ model: PixelDA, limit: Int? = nil) throws -> TaskAccuracyReport {
        let data = try TrainingData(PixelDA.self, config: model.config)
        guard let root = data.root, data.format == .mnistm else {
            throw EvaluationError("pixelda's run trained on \(data.name), not MNIST-M; its task accuracy is measured on MNIST-M's test split")
        }
        let transform = data.transform(random: false)
        let target = try accuracy(model, try MNISTMDataset(split: .test, directory: root, transform: transform), limit: limit)
        let source = try accuracy(model, try MNISTDataset(split: .test, transform: transform), limit: limit)
        return TaskAccuracyReport(targetCount: target.count, targetAccuracy: target.accuracy,
                                  sourceCount: source.count, sourceAccuracy: source.accuracy)
    }

    static func accuracy(_ model: PixelDA, _ dataset: any Dataset, limit: Int?) throws -> (count: Int, accuracy: Double) {
        let count = Swift.min(limit ?? dataset.count, dataset.count)
        let batches = DataLoader(dataset: dataset, batchSize: 500, shuffle: false).epoch(0)
        defer { batches.close() }
        var done = 0, correct = 0
        while done < count, let batch = try batches.nextBatch() {
            let take = Swift.min(batch.count, count - done)
            let predictions = model.classify(batch.images[0].slice(dim: 0, start: 0, end: take))
            correct += zip(predictions, batch.classLabels).filter { $0 == $1 }.count
            done += take
        }
        return (done, done == 0 ? .nan : Double(correct) / Double(done))
    }

    /// `count` pairs from `model` (eval mode, noise from `seed`), each domain scored by `scorer`.
    public static func coupledSamples(_ model: CoGAN, scorer: SampleEvaluator, count: Int = 1000, seed: UInt64 = 0) throws -> CoupledSampleReport {
        let rng = RandomGenerator(seed: seed)
        var first = [Tensor](), second = [Tensor]()
        var start = 0
        // In chunks, so 10,000 samples do not hold every activation at once.
        while start < count {
            let (a, b) = try model.samplePairsForOutput(count: Swift.min(500, count - start), generator: rng)
            first.append(resizedTo28(grayscale(a)))
            second.append(resizedTo28(grayscale(b)))
            start += 500
        }
        let images1 = Tensor.concat(first, dim: 0), images2 = Tensor.concat(second, dim: 0)
        let predictions1 = scorer.classifier.outputs(for: images1).predictions, predictions2 = scorer.classifier.outputs(for: images2).predictions
        let agreeing = zip(predictions1, predictions2).filter { $0 == $1 }.count
        return CoupledSampleReport(domain1: try scorer.evaluate(images1), domain2: try scorer.evaluate(images2),
                                   agreement: Double(agreeing) / Double(count))
    }

    /// ITU-R 601-2 luma as PIL's convert("L"), 0.299 R + 0.587 G + 0.114 B: [N, 3, H, W] ->
    /// [N, 1, H, W] (the weights sum to 1, so [-1, 1] stays [-1, 1]); gray images unchanged.
    public static func grayscale(_ images: Tensor) -> Tensor {
        guard images.shape[1] == 3 else { return images }
        func channel(_ c: Int) -> Tensor { images.slice(dim: 1, start: c, end: c + 1) }
        return channel(0) * 0.299 + channel(1) * 0.587 + channel(2) * 0.114
    }
}
