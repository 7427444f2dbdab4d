// Improved Training of Wasserstein GANs (WGAN-GP) — Gulrajani et al., 2017, arXiv:1704.00028
import Autograd
import NN

/// gan's generator and wgan's critic; Adam; the critic's Lipschitz constraint is a penalty
/// lambda_gp * (||grad D(x^)||_2 - 1)^2 at random interpolates x^ of real and generated
/// images instead of weight clipping. The reference parses --clip_value without using it
/// (its issue #196), so this model does not take that option.
public final class WGANGP: MLPAdversaries, GANModel {
    public static let info = ModelInfo(name: "wgan_gp", title: "Improved Training of Wasserstein GANs",
                                       citation: "Gulrajani et al., 2017, arXiv:1704.00028", architecture: .mlp)
    public static var defaults: CommonOptions { CommonOptions() }
    public static var options: [OptionSpec] {
        [OptionSpec("n-critic", .int, 5, "Critic steps per generator step."),
         OptionSpec("lambda-gp", .float, 10, "Weight of the gradient penalty.")]
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        try validateCriticSteps(config)
        guard config.float("lambda-gp") >= 0 else { throw ConfigError("--lambda-gp must not be negative, got \(config.float("lambda-gp"))") }
    }

    /// Interpolation weights of the gradient penalty.
    let penalty: RandomGenerator

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed)
        let noise = parts.stream("noise")
        penalty = parts.stream("penalty")
        super.init(parts, noise: noise, sigmoid: false)
    }

    public var iterationsPerCycle: Int { config.int("n-critic") }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images, n = real.shape[0]
        let z = Tensor.normal([n, latentDim], generator: noise)
        let (generated, forG) = generatorPasses(netG, z, norms: generatorNorms,
                                                generatorBatch: batchesDone % config.int("n-critic") == 0)

        // Critic: maximise D(real) - D(fake) with the gradient penalty at interpolates, one
        // weight alpha ~ U(0, 1) per image.
        let (dReal, dFake) = scoreBoth(netD, real, generated)
        let alpha = Tensor.uniform([n, 1, 1, 1], generator: penalty)
        let gradientPenalty = (try inputGradientNorms(netD.callAsFunction, at: interpolates(real, generated, alpha: alpha)) - 1).square().mean()
        let dLoss = -dReal.mean() + dFake.mean() + config.float("lambda-gp") * gradientPenalty
        try optimize(optimizerD, dLoss)

        if let forG { try wassersteinGeneratorStep(critic: netD, optimizer: optimizerG, generated: forG) }
        return [("d_loss", dLoss.item()), ("g_loss", carried("g_loss"))]
    }
}
