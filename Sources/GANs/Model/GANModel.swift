// The contract between a model of the zoo and the training runtime.
import Autograd
import NN

/// Losses of one training iteration, in the order the reference prints them.
public typealias Losses = [(name: String, value: Float)]

public protocol GANModel: AnyObject {
    static var info: ModelInfo { get }
    /// The reference script's defaults for the common options.
    static var defaults: CommonOptions { get }
    /// The model's own options with their reference defaults.
    static var options: [OptionSpec] { get }
    /// Rejects configurations the architecture cannot take, with one clear sentence.
    static func validate(_ config: ModelConfig) throws(ConfigError)
    /// The data a run of `config` trains on: `info.data`, unless a model option changes it
    /// (pix2pix's --train-on-test adds the test split).
    static func data(for config: ModelConfig) -> DataRequirement

    /// Builds the networks and optimisers; all randomness comes from generators seeded
    /// from `seed` (see `ModelParts`).
    init(config: ModelConfig, seed: UInt64)

    var config: ModelConfig { get }
    /// The network `gan sample` uses; saved as `generator.safetensors`.
    var generator: Module { get }
    /// Every network, by the file name its weights are saved under.
    var networks: [(name: String, module: Module)] { get }
    var optimizers: [(name: String, optimizer: Optimizer)] { get }
    /// Every random stream the model draws from, so checkpoints can restore them.
    var randomStreams: [(name: String, generator: RandomGenerator)] { get }
    /// Losses a model reports on batches where it did not compute them (the generator's,
    /// between n_critic steps), kept in checkpoints so a resumed run reports them too.
    var carriedLosses: [String: Float] { get set }

    /// Called before the first batch of each epoch, and with the resumed epoch on resume:
    /// per-epoch learning-rate schedules set the rate of `epoch` here (a pure function of
    /// it, so a resumed run continues the schedule).
    func epochStarted(_ epoch: Int)
    /// Called once before the first training step (also of a resumed run): loads what
    /// training needs besides the data (srgan's VGG19), or says in one sentence what is missing.
    func prepareToTrain() throws
    /// One training iteration on a batch of the model's kind of data (`info.data`).
    func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses
    /// Models that draw from noise: `count` samples in [-1, 1] ([N, C, H, W]). `labels`
    /// select classes for conditional models; `latent` ([N, latentDim]) replaces the drawn
    /// noise. Called in eval mode without a graph (see `sampleForOutput`).
    func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor
    /// Image-to-image models: the outputs for `inputs` (images as `info.data` describes the
    /// model's input, [N, C, H, W] in the data's normalisation).
    func translate(_ inputs: Tensor) throws(ConfigError) -> Tensor
    /// The picture saved every sample interval. `examples` are fixed examples of the data
    /// (the validation split where there is one) for models that picture their inputs; nil
    /// for models that sample from noise.
    func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int)
    /// Image-to-image models trained on pairs: the input and the target of each pair (which
    /// half is which), as training, pictures and `gan eval` use them.
    func inputAndTarget(_ batch: TrainingBatch) -> (input: Tensor, target: Tensor)
    /// How many fixed examples `progressGrid` pictures (0 for models that sample from noise).
    var progressExamples: Int { get }
    /// Batches per generator update (n_critic for WGAN-style models), for benchmarks.
    var iterationsPerCycle: Int { get }
}

public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension GANModel {
    public static var options: [OptionSpec] { [] }
    public static func validate(_ config: ModelConfig) throws(ConfigError) {}
    public static func data(for config: ModelConfig) -> DataRequirement { info.data }
    public var latentDim: Int { config.common.latentDim }
    public var iterationsPerCycle: Int { 1 }
    public var progressExamples: Int { 0 }
    public func epochStarted(_ epoch: Int) {}
    public func prepareToTrain() throws {}
    public func inputAndTarget(_ batch: TrainingBatch) -> (input: Tensor, target: Tensor) { (batch.pair.a, batch.pair.b) }

    /// Noise models: the generator applied to the drawn or given latent vectors.
    public func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor {
        guard Self.info.output == .samples else { throw ConfigError("\(Self.info.name) maps images to images; give it inputs instead") }
        return generator(try latentVectors(count, given: latent, generator: rng))
    }

    public func translate(_ inputs: Tensor) throws(ConfigError) -> Tensor {
        throw ConfigError("\(Self.info.name) draws samples from noise; it does not map input images")
    }

    /// Draws `count` latent vectors N(0, 1), or checks the given ones.
    public func latentVectors(_ count: Int, given: Tensor?, generator rng: RandomGenerator, dim: Int? = nil) throws(ConfigError) -> Tensor {
        let d = dim ?? latentDim
        if let given {
            guard given.shape == [count, d] else {
                throw ConfigError("latent vectors must have shape [\(count), \(d)], got \(given.shape)")
            }
            return given
        }
        return Tensor.normal([count, d], generator: rng)
    }

    /// 25 samples from fixed noise in a 5x5 grid, or `count` in `rows` rows for given labels.
    public func fixedNoiseGrid(count: Int = 25, rows: Int = 5, labels: [Int]? = nil) -> (images: Tensor, rows: Int) {
        let rng = RandomGenerator(seed: 0x5A17)
        let images = (try? sampleForOutput(count: count, labels: labels, generator: rng)) ?? Tensor.zeros([count] + config.imageShape)
        return (images, rows)
    }

    /// The default picture of noise models: a 5x5 grid, or one row per class for
    /// conditional ones (as the reference's sample_image).
    public func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int) {
        if Self.info.conditional {
            let classes = config.extra["n-classes"].map { Int($0) } ?? 10
            return fixedNoiseGrid(count: classes * classes, rows: classes, labels: (0..<(classes * classes)).map { $0 / classes })
        }
        return fixedNoiseGrid()
    }
}
