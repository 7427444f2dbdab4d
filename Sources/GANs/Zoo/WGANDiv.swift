// Wasserstein Divergence for GANs (WGAN-div) — Wu et al., 2018, arXiv:1712.01026
import Autograd
import NN

/// gan's generator and wgan's critic; Adam; instead of a Lipschitz constraint the critic
/// pays k/2 * E[||grad D||^p] at the real and at the generated images (k = 2, p = 6).
public final class WGANDiv: GANModel {
    public static let info = ModelInfo(name: "wgan_div", title: "Wasserstein Divergence for GANs",
                                       citation: "Wu et al., 2018, arXiv:1712.01026", architecture: .mlp)
    public static var defaults: CommonOptions { CommonOptions() }
    public static var options: [OptionSpec] {
        [OptionSpec("n-critic", .int, 5, "Critic steps per generator step.")]
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        guard config.int("n-critic") >= 1 else { throw ConfigError("--n-critic must be at least 1, got \(config.int("n-critic"))") }
    }

    /// The reference's (and the paper's recommended) penalty weight and power.
    static let k: Float = 2, p: Float = 6

    public let config: ModelConfig
    let netG: GANGenerator
    let netD: WGANCritic
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator
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
        dParameters = netD.parameters()
        generatorNorms = batchNorms(of: netG)
    }

    public var generator: Module { netG }
    public var networks: [(name: String, module: Module)] { [("generator", netG), ("discriminator", netD)] }
    public var optimizers: [(name: String, optimizer: Optimizer)] { [("optimizer_G", optimizerG), ("optimizer_D", optimizerD)] }
    public var randomStreams: [(name: String, generator: RandomGenerator)] { [("noise", noise)] }
    public var iterationsPerCycle: Int { config.int("n-critic") }

    public func trainStep(images: Tensor, labels: [Int], batchesDone: Int) throws -> Losses {
        let n = images.shape[0]
        let z = Tensor.normal([n, latentDim], generator: noise)
        let (generated, forG) = generatorPasses(netG, z, norms: generatorNorms,
                                                generatorBatch: batchesDone % config.int("n-critic") == 0)

        // Critic: maximise D(real) - D(fake), penalising ||grad D||^p at both. Real and
        // generated images are one leaf (D's rows are independent, so its gradient rows are
        // those of two separate leaves), which spares splitting the gradient and, in the
        // second-order pass, joining it again.
        let both = Tensor.concat([images.detach(), generated], dim: 0).requiringGrad()
        let validity = netD(both)
        let grad = try Autograd.grad(of: [validity], withRespectTo: [both], seeds: [Tensor.ones([2 * n, 1])],
                                     createGraph: true)[0]!
        // ||g||^p = (sum g^2)^(p/2) per image.
        let powerNorms = grad.flatten().square().sum(dim: 1).pow(Self.p / 2)
        func halves(_ t: Tensor) -> (real: Tensor, fake: Tensor) {
            (t.slice(dim: 0, start: 0, end: n), t.slice(dim: 0, start: n, end: 2 * n))
        }
        let norms = halves(powerNorms), scores = halves(validity)
        let divGP = (norms.real + norms.fake).mean() * (Self.k / 2)
        let dLoss = -scores.real.mean() + scores.fake.mean() + divGP
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
