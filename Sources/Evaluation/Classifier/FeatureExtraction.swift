// Running the classifier over many images in batches, without a graph, in eval mode.
import Autograd
import NN

/// What the metrics need from the classifier for a set of images.
public struct ClassifierOutputs: Sendable {
    /// Row-major [count, featureDimension].
    public let features: [Float]
    /// Row-major [count, classes] softmax probabilities.
    public let probabilities: [Float]
    /// The most probable class of each image.
    public let predictions: [Int]
    public var count: Int { predictions.count }
}

extension MNISTClassifier {
    /// Features, probabilities and predictions of [N, 1, 28, 28] images in [-1, 1].
    public func outputs(for images: Tensor, batchSize: Int = 500) -> ClassifierOutputs {
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        let n = images.shape[0]
        var features = [Float](), probabilities = [Float](), predictions = [Int]()
        features.reserveCapacity(n * Self.featureDimension)
        probabilities.reserveCapacity(n * Self.classes)
        withoutGrad {
            var start = 0
            while start < n {
                let end = Swift.min(start + batchSize, n)
                let f = self.features(images.slice(dim: 0, start: start, end: end))
                let p = logits(fromFeatures: f).softmax(dim: 1)
                features += f.scalars
                probabilities += p.scalars
                predictions += p.argmax(dim: 1)
                start = end
            }
        }
        return ClassifierOutputs(features: features, probabilities: probabilities, predictions: predictions)
    }

    /// Fraction of `images` classified as `labels`.
    public func accuracy(images: Tensor, labels: [Int]) -> Double {
        labelAccuracy(predictions: outputs(for: images).predictions, labels: labels)
    }
}
