// Improved Training of Wasserstein GANs (WGAN-GP) — Gulrajani et al., 2017, arXiv:1704.00028
import Autograd
import NN

/// gan's generator and wgan's critic; Adam; the critic's Lipschitz constraint is a penalty
/// lambda_gp * (||grad D(x^)||_2 - 1)^2 at random interpolates x^ of real and generated
/// images instead of weight clipping. The reference parses --clip_value without using it
/// (its issue #196), so this model does not take that option.
public final class WGANGP: GANModel {
    public static let info = ModelInfo(name: "wgan_gp", title: "Improved Training of Wasserstein GANs",
                                       citation: "Gulrajani et al., 2017, arXiv:1704.00028", architecture: .mlp)
    public static var defaults: CommonOptions { CommonOptions() }
    public static var options: [OptionSpec] {
        [OptionSpec("n-critic", .int, 5, "Critic steps per generator step."),
         OptionSpec("lambda-gp", .float, 10, "Weight of the gradient penalty.")]
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        guard config.int("n-critic") >= 1 else { throw ConfigError("--n-critic must be at least 1, got \(config.int("n-critic"))") }
        guard config.float("lambda-gp") >= 0 else { throw ConfigError("--lambda-gp must not be negative, got \(config.float("lambda-gp"))") }
    }

    public let config: ModelConfig
    let netG: GANGenerator
    let netD: WGANCritic
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator
    /// Interpolation weights of the gradient penalty.
    let penalty: RandomGenerator
    let dParameters: [Tensor]
    let generatorNorms: [BatchNorm]
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
        optimizerG = adam(netG, c)
        optimizerD = adam(netD, c)
        noise = RandomGenerator(seed: seed &+ 2)
        penalty = RandomGenerator(seed: seed &+ 3)
        dParameters = netD.parameters()
        generatorNorms = batchNorms(of: netG)
    }

    public var generator: Module { netG }
    public var networks: [(name: String, module: Module)] { [("generator", netG), ("discriminator", netD)] }
    public var optimizers: [(name: String, optimizer: Optimizer)] { [("optimizer_G", optimizerG), ("optimizer_D", optimizerD)] }
    public var randomStreams: [(name: String, generator: RandomGenerator)] { [("noise", noise), ("penalty", penalty)] }
    public var iterationsPerCycle: Int { config.int("n-critic") }

    /// E[(||grad_x D(x)||_2 - 1)^2] at x = alpha real + (1 - alpha) fake, alpha ~ U(0, 1) per image.
    func gradientPenalty(real: Tensor, fake: Tensor) throws -> Tensor {
        let n = real.shape[0]
        let alpha = Tensor.uniform([n, 1, 1, 1], generator: penalty)
        let x = (alpha * real + (1 - alpha) * fake).requiringGrad()
        let grads = try Autograd.grad(of: [netD(x)], withRespectTo: [x], seeds: [Tensor.ones([n, 1])], createGraph: true)
        return (grads[0]!.flatten().norm(dims: [1]) - 1).square().mean()
    }

    public func trainStep(images real: Tensor, labels: [Int], batchesDone: Int) throws -> Losses {
        let z = Tensor.normal([real.shape[0], latentDim], generator: noise)
        let (generated, forG) = generatorPasses(netG, z, norms: generatorNorms,
                                                generatorBatch: batchesDone % config.int("n-critic") == 0)

        // Critic: maximise D(real) - D(fake) with the gradient penalty.
        let (dReal, dFake) = scoreBoth(netD, real, generated)
        let dLoss = -dReal.mean() + dFake.mean()
            + config.float("lambda-gp") * (try gradientPenalty(real: real, fake: generated))
        try optimize(optimizerD, dLoss)

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
