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

    /// Builds the networks and optimisers; all randomness comes from generators seeded
    /// from `seed`.
    init(config: ModelConfig, seed: UInt64)

    var config: ModelConfig { get }
    /// The network `gan sample` uses; saved as `generator.safetensors`.
    var generator: Module { get }
    /// Every network, by the file name its weights are saved under.
    var networks: [(name: String, module: Module)] { get }
    var optimizers: [(name: String, optimizer: Optimizer)] { get }
    /// Every random stream the model draws from, so checkpoints can restore them.
    var randomStreams: [(name: String, generator: RandomGenerator)] { get }

    /// One training iteration on a batch of real images in [-1, 1] and their labels.
    func trainStep(images: Tensor, labels: [Int], batchesDone: Int) throws -> Losses
    /// `count` samples in [-1, 1] ([N, C, H, W]), in eval mode unless `batchStatistics`.
    /// `labels` select classes for conditional models; `latent` ([N, latentDim]) replaces
    /// the drawn noise.
    func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor
    /// The picture saved every sample interval (a 5x5 grid, or 10x10 by class).
    func progressGrid() -> (images: Tensor, rows: Int)
    /// Batches per generator update (n_critic for WGAN-style models), for benchmarks.
    var iterationsPerCycle: Int { get }
    /// Losses a model reports on batches where it did not compute them (the generator's,
    /// between n_critic steps), kept in checkpoints so a resumed run reports them too.
    var carriedLosses: [String: Float] { get set }
}

public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension GANModel {
    public static var options: [OptionSpec] { [] }
    public static func validate(_ config: ModelConfig) throws(ConfigError) {}
    public var latentDim: Int { config.common.latentDim }
    public var iterationsPerCycle: Int { 1 }
    public var carriedLosses: [String: Float] {
        get { [:] }
        set {}
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

    /// The default progress picture: 25 samples from fixed noise in a 5x5 grid.
    public func fixedNoiseGrid(count: Int = 25, rows: Int = 5, labels: [Int]? = nil) -> (images: Tensor, rows: Int) {
        let rng = RandomGenerator(seed: 0x5A17)
        let images = (try? sampleForOutput(count: count, labels: labels, generator: rng)) ?? Tensor.zeros([count] + config.imageShape)
        return (images, rows)
    }

    public func progressGrid() -> (images: Tensor, rows: Int) {
        if Self.info.conditional {
            // One row per class, as the reference's sample_image.
            let classes = config.extra["n-classes"].map { Int($0) } ?? 10
            return fixedNoiseGrid(count: classes * classes, rows: classes, labels: (0..<(classes * classes)).map { $0 / classes })
        }
        return fixedNoiseGrid()
    }
}
