// The bookkeeping every model of the zoo shares, done once: its random streams, its
// networks and optimisers under the names their checkpoint files take, the parameters to
// freeze while the other network learns, and the losses carried between batches.
import Autograd
import NN

/// What a model is made of, recorded while its initialiser builds it.
public final class ModelParts {
    public let config: ModelConfig
    /// Every initial weight is drawn from this stream (seed + 1); checkpoints hold the
    /// weights themselves, so they need not keep it.
    public let weights: RandomGenerator
    let seed: UInt64
    fileprivate var networks: [(name: String, module: Module)] = []
    fileprivate var optimizers: [(name: String, optimizer: Optimizer)] = []
    fileprivate var streams: [(name: String, generator: RandomGenerator)] = []
    fileprivate var sampler: Module?

    public init(config: ModelConfig, seed: UInt64) {
        self.config = config
        self.seed = seed
        weights = RandomGenerator(seed: seed &+ 1)
    }

    /// The common options (learning rate, betas, sizes).
    public var common: CommonOptions { config.common }

    /// A random stream saved in checkpoints under `name`. The k-th stream a model asks for
    /// is seeded seed + 2 + k, the seeds every checkpoint and fixture so far was made with.
    public func stream(_ name: String) -> RandomGenerator {
        let g = RandomGenerator(seed: seed &+ 2 &+ UInt64(streams.count))
        streams.append((name, g))
        return g
    }

    /// A network saved as `name.safetensors`. `gan sample` runs the one named "generator",
    /// or the one registered with `samples: true`.
    public func network<M: Module>(_ name: String, _ module: M, samples: Bool = false) -> M {
        networks.append((name, module))
        if samples { sampler = module }
        return module
    }

    /// The network `gan sample` runs when it is made of registered ones (unit's encoder and
    /// generator); not saved on its own but as `generator.safetensors`.
    public func sampler<M: Module>(_ module: M) -> M {
        sampler = module
        return module
    }

    /// An optimiser whose state is saved as `name.safetensors`.
    public func optimizer<O: Optimizer>(_ name: String, _ optimizer: O) -> O {
        optimizers.append((name, optimizer))
        return optimizer
    }

    /// Adam over the networks' parameters with the run's learning rate and betas.
    public func adam(_ name: String, _ modules: Module..., weightDecay: Float = 0) -> Adam {
        optimizer(name, Adam(parameters: modules.flatMap { $0.parameters() }, learningRate: common.lr,
                             betas: (common.b1, common.b2), weightDecay: weightDecay))
    }
}

/// The base of the zoo's models: it keeps what `ModelParts` recorded and supplies the
/// bookkeeping `GANModel` asks for, so a model file holds its networks, its defaults and
/// its training step.
open class ZooModel {
    public let config: ModelConfig
    public let networks: [(name: String, module: Module)]
    public let optimizers: [(name: String, optimizer: Optimizer)]
    public let randomStreams: [(name: String, generator: RandomGenerator)]
    /// The network `gan sample` runs.
    public let generator: Module
    public var carriedLosses: [String: Float] = [:]
    /// Each network's parameters, found once (module traversal reflects over every layer).
    private let parameterLists: [ObjectIdentifier: [Tensor]]

    public init(_ parts: ModelParts) {
        config = parts.config
        networks = parts.networks
        optimizers = parts.optimizers
        randomStreams = parts.streams
        guard let sampler = parts.sampler ?? parts.networks.first(where: { $0.name == "generator" })?.module else {
            preconditionFailure("a model needs a network named generator or one registered with samples: true")
        }
        generator = sampler
        parameterLists = Dictionary(uniqueKeysWithValues: parts.networks.map { (ObjectIdentifier($0.module), $0.module.parameters()) })
    }

    /// Runs `body` with `network`'s parameters not requiring gradients: while G learns
    /// through D, D's weight gradients would be thrown away, so they are not computed at
    /// all (the result is unchanged, the step is cheaper).
    public func frozen<T>(_ network: Module, _ body: () throws -> T) rethrows -> T {
        let parameters = parameterLists[ObjectIdentifier(network)] ?? network.parameters()
        let previous = parameters.map(\.requiresGrad)
        for p in parameters { p.requiresGrad = false }
        defer { for (p, flag) in zip(parameters, previous) { p.requiresGrad = flag } }
        return try body()
    }

    /// The loss `name` of the latest batch that computed it (0 before the first), reported
    /// on the batches that do not (a generator's, between critic steps).
    public func carried(_ name: String, _ value: Float? = nil) -> Float {
        if let value { carriedLosses[name] = value }
        return carriedLosses[name] ?? 0
    }
}
