// Training the attribute classifier with our own engine, reproducibly: one seed fixes the
// initialisation, the order of every epoch and which faces are mirrored (each with
// probability 1/2); the loss is binary cross-entropy per attribute.
import Autograd
import Foundation
import NN

public enum AttributeClassifierTraining {
    /// Trains a fresh classifier on `train`; `onBatch` is called after each batch with
    /// (batches done in the epoch, batches per epoch, loss) and `report` after each epoch
    /// with (epoch, mean training loss, per-attribute accuracy on `test`).
    public static func train(_ options: ClassifierTrainingOptions, train: CelebAFaces, test: CelebAFaces,
                             onBatch: (Int, Int, Float) -> Void = { _, _, _ in },
                             report: (Int, Double, [Double]) -> Void = { _, _, _ in }) throws -> AttributeClassifier {
        let model = AttributeClassifier(attributes: train.attributes, generator: RandomGenerator(seed: options.seed))
        let optimizer = Adam(parameters: model.parameters(), learningRate: options.learningRate)
        let shuffler = RandomGenerator(seed: options.seed &+ 1), mirror = RandomGenerator(seed: options.seed &+ 2)
        for epoch in 0..<options.epochs {
            model.train()
            let meanLoss = try ClassifierTraining.epoch(shuffler.permutation(train.count), batchSize: options.batchSize,
                                                        optimizer: optimizer, onBatch: onBatch) { batch in
                let (x, y) = train.batch(batch)
                return binaryCrossEntropyWithLogits(model(mirrored(x, generator: mirror)), y)
            }
            model.eval()
            report(epoch + 1, meanLoss, try model.accuracy(test.images, labels: test.labels))
            optimizer.learningRate *= options.decayPerEpoch
        }
        model.eval()
        return model
    }

    /// `faces` [N, C, H, W] with each one flipped left to right with probability 1/2.
    static func mirrored(_ faces: Tensor, generator: RandomGenerator) -> Tensor {
        let n = faces.shape[0], w = faces.shape[3]
        let keep = Tensor(shape: [n, 1, 1, 1], scalars: (0..<n).map { _ in generator.nextUniform() < 0.5 ? 1 : 0 })
        return faces * keep + faces.indexSelect(dim: 3, indices: Array((0..<w).reversed())) * (1 - keep)
    }
}
