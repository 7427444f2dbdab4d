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
        for epoch in 0..<options.epochs {
            model.train()
            let meanLoss = try Self.epoch(shuffler.permutation(train.count), batchSize: options.batchSize,
                                          optimizer: optimizer, onBatch: onBatch) { batch in
                let (x, y) = train.batch(batch)
                return crossEntropy(model(x), targets: y)
            }
            report(epoch + 1, meanLoss, model.accuracy(images: test.images, labels: test.labels))
            optimizer.learningRate *= options.decayPerEpoch
        }
        model.eval()
        return model
    }

    /// One epoch of optimiser steps over the examples in `order`, `batchSize` at a time
    /// (`loss` gives a batch's loss from its indices); returns the mean loss.
    static func epoch(_ order: [Int], batchSize: Int, optimizer: Optimizer, onBatch: (Int, Int, Float) -> Void,
                      loss: (ArraySlice<Int>) -> Tensor) throws -> Double {
        let perEpoch = (order.count + batchSize - 1) / batchSize
        var lossSum = 0.0, batches = 0
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let batchLoss = loss(order[start..<Swift.min(start + batchSize, order.count)])
            optimizer.zeroGrad()
            try batchLoss.backward()
            optimizer.step()
            lossSum += Double(batchLoss.item())
            batches += 1
            onBatch(batches, perEpoch, batchLoss.item())
        }
        return lossSum / Double(Swift.max(batches, 1))
    }
}
