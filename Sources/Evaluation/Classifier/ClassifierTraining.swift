// Training the feature network with our own engine, reproducibly: one seed fixes the
// initialisation, dropout and the order of every epoch.
import Autograd
import Foundation
import NN

public struct ClassifierTrainingOptions: Sendable {
    public var epochs = 4
    public var batchSize = 64
    public var learningRate: Float = 1e-3
    /// The learning rate is multiplied by this after each epoch.
    public var decayPerEpoch: Float = 0.5
    public var seed: UInt64 = 0
    public init() {}
}

public enum ClassifierTraining {
    /// Trains a fresh classifier on `train`; `onBatch` is called after each batch with
    /// (batches done in the epoch, batches per epoch, loss) and `report` after each epoch
    /// with (epoch, mean training loss, accuracy on `test`).
    public static func train(_ options: ClassifierTrainingOptions, train: MNISTTensors, test: MNISTTensors,
                             onBatch: (Int, Int, Float) -> Void = { _, _, _ in },
                             report: (Int, Double, Double) -> Void = { _, _, _ in }) throws -> MNISTClassifier {
        let model = MNISTClassifier(generator: RandomGenerator(seed: options.seed))
        let optimizer = Adam(parameters: model.parameters(), learningRate: options.learningRate)
        let shuffler = RandomGenerator(seed: options.seed &+ 1)
        let perEpoch = (train.count + options.batchSize - 1) / options.batchSize
        for epoch in 0..<options.epochs {
            model.train()
            let order = shuffler.permutation(train.count)
            var lossSum = 0.0, batches = 0
            var start = 0
            while start < order.count {
                let end = Swift.min(start + options.batchSize, order.count)
                let (x, y) = train.batch(order[start..<end])
                let loss = crossEntropy(model(x), targets: y)
                optimizer.zeroGrad()
                try loss.backward()
                optimizer.step()
                lossSum += Double(loss.item())
                batches += 1
                onBatch(batches, perEpoch, loss.item())
                start = end
            }
            report(epoch + 1, lossSum / Double(batches), model.accuracy(images: test.images, labels: test.labels))
            optimizer.learningRate *= options.decayPerEpoch
        }
        model.eval()
        return model
    }
}
