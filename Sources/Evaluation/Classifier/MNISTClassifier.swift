// The feature network of the metrics: a small LeNet-style MNIST classifier. Its 128
// penultimate activations (after ReLU, before dropout) are the feature space in which
// Fréchet distance and precision/recall are measured, as Inception's pool3 is for FID.
import Autograd
import NN

public final class MNISTClassifier: Module {
    /// The width of the feature vectors.
    public static let featureDimension = 128
    public static let classes = 10

    let conv1: Conv2d
    let conv2: Conv2d
    let fc1: Linear
    let dropout: Dropout
    let fc2: Linear

    /// All random initialisation and dropout draw from `generator`, so training is reproducible.
    public init(generator: RandomGenerator = RandomGenerator(seed: 0)) {
        // 28 -> conv5 24 -> pool 12 -> conv5 8 -> pool 4: 64 x 4 x 4 = 1,024 inputs to fc1.
        conv1 = Conv2d(1, 32, kernelSize: 5, generator: generator)
        conv2 = Conv2d(32, 64, kernelSize: 5, generator: generator)
        fc1 = Linear(64 * 4 * 4, MNISTClassifier.featureDimension, generator: generator)
        dropout = Dropout(0.5, generator: generator)
        fc2 = Linear(MNISTClassifier.featureDimension, MNISTClassifier.classes, generator: generator)
        super.init()
    }

    /// [N, 1, 28, 28] in [-1, 1] -> [N, 128] features.
    public func features(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && Array(x.shape.dropFirst()) == [1, 28, 28],
                     "MNISTClassifier: expected [N, 1, 28, 28] images, got \(x.shape)")
        var h = maxPool2d(conv1(x).relu(), kernelSize: 2)
        h = maxPool2d(conv2(h).relu(), kernelSize: 2)
        return fc1(h.flatten()).relu()
    }

    /// Class logits from features.
    public func logits(fromFeatures f: Tensor) -> Tensor { fc2(dropout(f)) }

    /// [N, 1, 28, 28] -> [N, 10] logits.
    override public func forward(_ x: Tensor) -> Tensor { logits(fromFeatures: features(x)) }
}
