// Wasserstein GAN — Arjovsky et al., 2017, arXiv:1701.07875
import Autograd
import NN

/// Image -> 512 -> 256 -> 1 with LeakyReLU(0.2): gan's discriminator without the sigmoid,
/// an unbounded critic score (also wgan_gp's, wgan_div's and softmax_gan's).
final class WGANCritic: Module {
    let model: Sequential

    init(imageShape: [Int], generator rng: RandomGenerator) {
        model = Sequential(
            Linear(imageShape.reduce(1, *), 512, generator: rng), LeakyReLU(0.2),
            Linear(512, 256, generator: rng), LeakyReLU(0.2),
            Linear(256, 1, generator: rng))
        super.init()
    }

    override func forward(_ image: Tensor) -> Tensor { model(image.flatten()) }
}

/// The critic learns on every batch (RMSprop, weights clipped to [-c, c] after each step);
/// the generator (gan's) learns on every n_critic-th batch from the same noise.
public final class WGAN: GANModel {
    public static let info = ModelInfo(name: "wgan", title: "Wasserstein GAN",
                                       citation: "Arjovsky et al., 2017, arXiv:1701.07875", architecture: .mlp)
    public static var defaults: CommonOptions { var c = CommonOptions(); c.lr = 0.00005; return c }
    public static var options: [OptionSpec] {
        [OptionSpec("n-critic", .int, 5, "Critic steps per generator step."),
         OptionSpec("clip-value", .float, 0.01, "Clip critic weights to [-c, c] after each critic step.")]
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        guard config.int("n-critic") >= 1 else { throw ConfigError("--n-critic must be at least 1, got \(config.int("n-critic"))") }
        guard config.float("clip-value") > 0 else { throw ConfigError("--clip-value must be positive, got \(config.float("clip-value"))") }
    }

    public let config: ModelConfig
    let netG: GANGenerator
    let netD: WGANCritic
    let optimizerG: RMSprop
    let optimizerD: RMSprop
    let noise: RandomGenerator
    let dParameters: [Tensor]
    let generatorNorms: [BatchNorm]
    /// The generator's loss of its latest step, reported on the batches without one.
    var lastGLoss: Float = 0
    public var carriedLosses: [String: Float] {
        get { ["g_loss": lastGLoss] }
        set { lastGLoss = newValue["g_loss"] ?? 0 }
    }

    public init(config: ModelConfig, seed: UInt64) {
        self.config = config
        let c = config.common
        let initRng = RandomGenerator(seed: seed &+ 1)
        netG = GANGenerator(latentDim: c.latentDim, imageShape: config.imageShape, generator: initRng)
        netD = WGANCritic(imageShape: config.imageShape, generator: initRng)
        optimizerG = RMSprop(parameters: netG.parameters(), learningRate: c.lr)
        optimizerD = RMSprop(parameters: netD.parameters(), learningRate: c.lr)
        // The critic's weights are clipped to [-c, c] after each step, in the update's pass.
        let clip = config.float("clip-value")
        optimizerD.clampAfterStep = -clip...clip
        noise = RandomGenerator(seed: seed &+ 2)
        dParameters = netD.parameters()
        generatorNorms = batchNorms(of: netG)
    }

    public var generator: Module { netG }
    public var networks: [(name: String, module: Module)] { [("generator", netG), ("discriminator", netD)] }
    public var optimizers: [(name: String, optimizer: Optimizer)] { [("optimizer_G", optimizerG), ("optimizer_D", optimizerD)] }
    public var randomStreams: [(name: String, generator: RandomGenerator)] { [("noise", noise)] }
    public var iterationsPerCycle: Int { config.int("n-critic") }

    public func trainStep(images real: Tensor, labels: [Int], batchesDone: Int) throws -> Losses {
        let z = Tensor.normal([real.shape[0], latentDim], generator: noise)
        let (generated, forG) = generatorPasses(netG, z, norms: generatorNorms,
                                                generatorBatch: batchesDone % config.int("n-critic") == 0)

        // Critic: maximise D(real) - D(fake), then clip its weights.
        let (dReal, dFake) = scoreBoth(netD, real, generated)
        let dLoss = -dReal.mean() + dFake.mean()
        try optimize(optimizerD, dLoss)   // clips the critic's weights too (clampAfterStep)

        // Generator, every n_critic batches: maximise D(G(z)).
        if let forG {
            let gLoss = frozen(dParameters) { -netD(forG).mean() }
            try optimize(optimizerG, gLoss)
            lastGLoss = gLoss.item()
        }
        return [("d_loss", dLoss.item()), ("g_loss", lastGLoss)]
    }

    public func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor {
        netG(try latentVectors(count, given: latent, generator: rng))
    }
}
