// Wasserstein GAN — Arjovsky et al., 2017, arXiv:1701.07875
import Autograd
import NN

/// gan's generator against an MLP critic (an unbounded score). The critic learns on every
/// batch (RMSprop, weights clipped to [-c, c] after each step); the generator learns on
/// every n_critic-th batch from the same noise.
public final class WGAN: MLPAdversaries, GANModel {
    public static let info = ModelInfo(name: "wgan", title: "Wasserstein GAN",
                                       citation: "Arjovsky et al., 2017, arXiv:1701.07875", architecture: .mlp)
    public static var defaults: CommonOptions { CommonOptions(lr: 0.00005) }
    public static var options: [OptionSpec] {
        [OptionSpec("n-critic", .int, 5, "Critic steps per generator step."),
         OptionSpec("clip-value", .float, 0.01, "Clip critic weights to [-c, c] after each critic step.")]
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        try validateCriticSteps(config)
        guard config.float("clip-value") > 0 else { throw ConfigError("--clip-value must be positive, got \(config.float("clip-value"))") }
    }


    public init(config: ModelConfig, seed: UInt64) {
        // RMSprop; the critic's weights are clipped to [-c, c] after each step, in the update's pass.
        let parts = ModelParts(config: config, seed: seed), clip = config.float("clip-value")
        super.init(parts, sigmoid: false) { name, network in
            let rmsprop = RMSprop(parameters: network.parameters(), learningRate: config.common.lr)
            if name == "optimizer_D" { rmsprop.clampAfterStep = -clip...clip }
            return parts.optimizer(name, rmsprop)
        }
    }

    public var iterationsPerCycle: Int { config.int("n-critic") }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let z = Tensor.normal([batch.count, latentDim], generator: noise)
        let (generated, forG) = generatorPasses(netG, z, norms: generatorNorms,
                                                generatorBatch: batchesDone % config.int("n-critic") == 0)

        // Critic: maximise D(real) - D(fake), then clip its weights.
        let (dReal, dFake) = scoreBoth(netD, batch.images, generated)
        let dLoss = -dReal.mean() + dFake.mean()
        try optimize(optimizerD, dLoss)   // clips the critic's weights too (clampAfterStep)

        if let forG { try wassersteinGeneratorStep(critic: netD, optimizer: optimizerG, generated: forG) }
        return [("d_loss", dLoss.item()), ("g_loss", carried("g_loss"))]
    }
}

/// The n_critic option of the Wasserstein models.
func validateCriticSteps(_ config: ModelConfig) throws(ConfigError) {
    guard config.int("n-critic") >= 1 else { throw ConfigError("--n-critic must be at least 1, got \(config.int("n-critic"))") }
}
