// Scores a set of samples: the shipped classifier plus the cached real test features.
import Autograd
import Foundation
import NN
import Vision

public final class SampleEvaluator: @unchecked Sendable {
    public let classifier: MNISTClassifier
    public let reference: ReferenceFeatures

    public init(classifier: MNISTClassifier, reference: ReferenceFeatures) {
        classifier.eval()
        self.classifier = classifier
        self.reference = reference
    }

    /// The shipped classifier (or `weights`) and the real MNIST test features, computed
    /// and cached the first time.
    public static func shipped(weights: URL? = nil, cacheDirectory: URL? = nil,
                               announce: (String) -> Void = { _ in }) throws -> SampleEvaluator {
        let url = try weights ?? ClassifierLocation.builtInWeights()
        let bytes = try [UInt8](Data(contentsOf: url))
        let classifier = MNISTClassifier()
        do { try classifier.loadStateDict(try SafeTensors.decode(bytes, file: url.path)) } catch {
            throw EvaluationError("cannot load the classifier weights \(url.path): \(error)")
        }
        classifier.eval()
        let reference = try ReferenceCache.testFeatures(classifier: classifier, weightsHash: sha256Hex(bytes),
                                                           cacheDirectory: cacheDirectory, announce: announce)
        return SampleEvaluator(classifier: classifier, reference: reference)
    }

    /// Every metric for [N, 1, 28, 28] samples in [-1, 1]; `labels` (one per sample) are the
    /// classes a conditional model was asked for.
    public func evaluate(_ images: Tensor, labels: [Int]? = nil) throws -> EvaluationReport {
        let n = images.shape[0]
        guard images.rank == 4, Array(images.shape.dropFirst()) == [1, 28, 28] else {
            throw EvaluationError("samples must be [N, 1, 28, 28], got \(images.shape)")
        }
        guard n >= 10 else { throw EvaluationError("need at least 10 samples to estimate the metrics, got \(n)") }
        if let labels {
            guard labels.count == n else { throw EvaluationError("\(labels.count) labels given for \(n) samples") }
            if let bad = labels.first(where: { !(0..<MNISTClassifier.classes).contains($0) }) {
                throw EvaluationError("label \(bad) is not a digit 0-9")
            }
        }
        let out = classifier.outputs(for: images)
        let d = MNISTClassifier.featureDimension
        let stats = FeatureStatistics(features: out.features, dimension: d)
        let pr = precisionRecall(real: reference.subset(n), generated: out.features, dimension: d, k: 3)
        let histogram = classHistogram(predictions: out.predictions, classes: MNISTClassifier.classes)
        var report = EvaluationReport(
            n: n, fd: frechetDistance(stats, reference.statistics),
            classifierScore: classifierScore(probabilities: out.probabilities, classes: MNISTClassifier.classes),
            histogram: histogram, modeCoverage: modeCoverage(histogram: histogram),
            precision: pr.precision, recall: pr.recall,
            labelAccuracy: labels.map { labelAccuracy(predictions: out.predictions, labels: $0) })
        report.matchedLabelAccuracy = labels.map {
            matchedLabelAccuracy(predictions: out.predictions, labels: $0, classes: MNISTClassifier.classes)
        }
        return report
    }
}
