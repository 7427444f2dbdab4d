// Learning-rate schedules, stepped once per epoch as in torch.optim.lr_scheduler. The
// learning rate is recomputed from the base rate (closed form), so `lastEpoch` is the
// only state to save for resume.

public protocol LRSchedule: AnyObject {
    var lastEpoch: Int { get set }
    /// Advances one epoch and sets the optimiser's learning rate.
    func step()
}

/// lr = base * gamma^(epoch / stepSize) (torch StepLR).
public final class StepLR: LRSchedule {
    public let optimizer: Optimizer
    public let baseLearningRate: Float
    public let stepSize: Int
    public let gamma: Float
    public var lastEpoch: Int { didSet { apply() } }

    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Float = 0.1, lastEpoch: Int = 0) {
        precondition(stepSize > 0, "StepLR: stepSize must be positive")
        self.optimizer = optimizer
        baseLearningRate = optimizer.learningRate
        self.stepSize = stepSize
        self.gamma = gamma
        self.lastEpoch = lastEpoch
        apply()
    }

    public func step() { lastEpoch += 1 }

    private func apply() {
        var factor: Float = 1
        for _ in 0..<(lastEpoch / stepSize) { factor *= gamma }
        optimizer.learningRate = baseLearningRate * factor
    }
}

/// lr = base * factor(epoch) (torch LambdaLR; applied at construction for epoch 0).
public final class LambdaLR: LRSchedule {
    public let optimizer: Optimizer
    public let baseLearningRate: Float
    public let factor: (Int) -> Float
    public var lastEpoch: Int { didSet { optimizer.learningRate = baseLearningRate * factor(lastEpoch) } }

    public init(_ optimizer: Optimizer, lastEpoch: Int = 0, factor: @escaping (Int) -> Float) {
        self.optimizer = optimizer
        baseLearningRate = optimizer.learningRate
        self.factor = factor
        self.lastEpoch = lastEpoch
        optimizer.learningRate = baseLearningRate * factor(lastEpoch)
    }

    public func step() { lastEpoch += 1 }

    /// CycleGAN's decay: constant until `decayStartEpoch`, then linear to zero at
    /// `epochs` (`1 - max(0, epoch + offset - decay_start) / (n_epochs - decay_start)`).
    public static func linearDecay(epochs: Int, decayStartEpoch: Int, offset: Int = 0) -> (Int) -> Float {
        precondition(epochs > decayStartEpoch, "linearDecay: decay must start before the end of training")
        return { epoch in 1 - Float(Swift.max(0, epoch + offset - decayStartEpoch)) / Float(epochs - decayStartEpoch) }
    }
}
