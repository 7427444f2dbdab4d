// Wasserstein Divergence for GANs (WGAN-div) — Wu et al., 2018, arXiv:1712.01026
import Autograd
import NN

/// gan's generator and wgan's critic; Adam; instead of a Lipschitz constraint the critic
/// pays k/2 * E[||grad D||^p] at the real and at the generated images (k = 2, p = 6).
public final class WGANDiv: MLPAdversaries, GANModel {
    public static let info = ModelInfo(name: "wgan_div", title: "Wasserstein Divergence for GANs",
                                       citation: "Wu et al., 2018, arXiv:1712.01026", architecture: .mlp)
    public static var defaults: CommonOptions { CommonOptions() }
    public static var options: [OptionSpec] { [OptionSpec("n-critic", .int, 5, "Critic steps per generator step.")] }
    public static func validate(_ config: ModelConfig) throws(ConfigError) { try validateCriticSteps(config) }

    /// The reference's (and the paper's recommended) penalty weight and power.
    static let k: Float = 2, p: Float = 6


    public init(config: ModelConfig, seed: UInt64) { super.init(ModelParts(config: config, seed: seed), sigmoid: false) }

    public var iterationsPerCycle: Int { config.int("n-critic") }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let n = batch.count
        let z = Tensor.normal([n, latentDim], generator: noise)
        let (generated, forG) = generatorPasses(netG, z, norms: generatorNorms,
                                                generatorBatch: batchesDone % config.int("n-critic") == 0)

        // Critic: maximise D(real) - D(fake), penalising ||grad D||^p at both. Real and
        // generated images are one leaf (D's rows are independent, so its gradient rows are
        // those of two separate leaves), which spares splitting the gradient and, in the
        // second-order pass, joining it again.
        let both = Tensor.concat([batch.images.detach(), generated], dim: 0).requiringGrad()
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

        if let forG { try wassersteinGeneratorStep(critic: netD, optimizer: optimizerG, generated: forG) }
        return [("d_loss", dLoss.item()), ("g_loss", carried("g_loss"))]
    }
}
