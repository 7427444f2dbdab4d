// DualGAN: Unsupervised Dual Learning for Image-to-Image Translation — Yi et al., 2017, arXiv:1704.02510
//
// The reference's quirks, each kept or changed here:
// - BatchNorm (eps 0.8) inside a WGAN-GP critic, which the WGAN-GP paper advises against: kept,
//   it is the reference's architecture (its batch statistics also enter the penalty's passes).
// - Data: the reference reads A|B pairs (edges2shoes) and uses them as two domains; here the
//   domains are drawn independently (`.unpaired`), as the paper's unpaired setting.
// - Generator steps on batches where batchesDone % n_critic == 0 (the reference: the batch
//   index within the epoch), as the zoo's other n_critic models.
// - On a generator batch one pass of each G serves the critics (detached) and the generator
//   step; the reference runs G again, drawing fresh dropout masks.
// - The critics' summed loss gets one backward in the reference; their graphs are disjoint,
//   so each critic's own loss is back-propagated into its optimiser: the same gradients.
// - The reference prints the adversarial term as "G loss"; here g_loss is the whole G loss.
// - The reference never puts G in eval mode (its pictures keep dropout); pictures and
//   `translate` here run in eval mode, as pix2pix's.
import Autograd
import NN

/// G_AB, G_BA: 7-level U-Nets (128 px down to 1x1, bias-free convs, affine IN, dropout; final
/// transposed conv); D_A, D_B: critics (64, 128, 256; BN eps 0.8; last conv unpadded, so 14x14
/// scores at 128 px). Critics every batch: -mean D(real) + mean D(G(x)) + lambda_gp GP; the
/// generators every n_critic batches: -mean D_A(G_BA(b)) - mean D_B(G_AB(a)) + lambda_cycle
/// (L1(G_BA(G_AB(a)), a) + L1(G_AB(G_BA(b)), b)).
public final class DualGAN: ZooModel, GANModel {
    public static let info = ModelInfo(
        name: "dualgan", title: "DualGAN: Unsupervised Dual Learning for Image-to-Image Translation",
        citation: "Yi et al., 2017, arXiv:1704.02510",
        data: DataRequirement(.unpaired, dataset: "edges2shoes", fit: .stretch, flip: true),
        architecture: .conv, output: .translation)

    public static var defaults: CommonOptions { CommonOptions(batchSize: 8, imgSize: 128, channels: 3, sampleInterval: 200) }

    public static var options: [OptionSpec] {
        [OptionSpec("n-critic", .int, 5, "Critic steps per generator step."),
         OptionSpec("lambda-gp", .float, 10, "Weight of the gradient penalty."),
         OptionSpec("lambda-cycle", .float, 10, "Weight of the cycle-consistency L1 loss.")]
    }

    /// The U-Nets halve the image 7 times, down to 1x1 at 128 px.
    public static let unetLevels = 7

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let s = config.common.imgSize, unit = 1 << unetLevels
        guard s % unit == 0 else {
            throw ConfigError("dualgan needs an image size that is a multiple of \(unit) (its U-Nets halve the image \(unetLevels) times, down to 1x1 at \(unit)); got \(s)")
        }
        try validateCriticSteps(config)
        for name in ["lambda-gp", "lambda-cycle"] {
            let v = config.float(name)
            guard v >= 0, v.isFinite else { throw ConfigError("--\(name) must not be negative, got \(v)") }
        }
    }

    let gAB: UNetGenerator
    let gBA: UNetGenerator
    let dA: PatchDiscriminator
    let dB: PatchDiscriminator
    let optimizerG: Adam
    let optimizerDA: Adam
    let optimizerDB: Adam
    /// Interpolation weights of the gradient penalties.
    let penalty: RandomGenerator
    let nCritic: Int
    let lambdaGP: Float
    let lambdaCycle: Float

    /// The reference's critic.
    static func critic(channels: Int, generator rng: RandomGenerator) -> PatchDiscriminator {
        PatchDiscriminator(inChannels: channels, widths: [64, 128, 256], norm: .batch(eps: 0.8),
                           head: .zeroPadConv4(padding: 0, bias: true), generator: rng)
    }

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        let dropout = parts.stream("dropout")
        penalty = parts.stream("penalty")
        let unet = UNetConfig.dualgan(channels: c.channels)
        gAB = parts.network("G_AB", UNetGenerator(unet, generator: parts.weights, dropoutGenerator: dropout))
        // `gan sample` translates B -> A, as pix2pix's default direction.
        gBA = parts.network("G_BA", UNetGenerator(unet, generator: parts.weights, dropoutGenerator: dropout), samples: true)
        dA = parts.network("D_A", Self.critic(channels: c.channels, generator: parts.weights))
        dB = parts.network("D_B", Self.critic(channels: c.channels, generator: parts.weights))
        // Conv weights N(0, 0.02), BN weights N(1, 0.02) and biases 0; the instance norms'
        // affine parameters and the conv biases keep their default init, as the reference.
        initializeDCGANWeights(gAB, gBA, dA, dB, generator: parts.weights)
        optimizerG = parts.adam("optimizer_G", gAB, gBA)
        optimizerDA = parts.adam("optimizer_D_A", dA)
        optimizerDB = parts.adam("optimizer_D_B", dB)
        nCritic = config.int("n-critic")
        lambdaGP = config.float("lambda-gp")
        lambdaCycle = config.float("lambda-cycle")
        super.init(parts)
    }

    public var iterationsPerCycle: Int { nCritic }

    /// B is translated into A (`translate` runs G_BA), as pix2pix's default direction.
    public func inputAndTarget(_ batch: TrainingBatch) -> (input: Tensor, target: Tensor) {
        let (a, b) = batch.pair
        return (b, a)
    }

    /// A critic's loss: -mean D(real) + mean D(fake) + lambda_gp (||grad D(x^)|| - 1)^2 at
    /// x^ = alpha real + (1 - alpha) fake, one alpha ~ U(0, 1) per image. Three passes, in the
    /// reference's order (its batch norms see each batch alone).
    func criticLoss(_ d: PatchDiscriminator, real: Tensor, fake: Tensor) throws -> Tensor {
        let alpha = Tensor.uniform([real.shape[0], 1, 1, 1], generator: penalty)
        let gp = (try inputGradientNorms(d.callAsFunction, at: interpolates(real, fake, alpha: alpha)) - 1).square().mean()
        return -d(real).mean() + d(fake).mean() + lambdaGP * gp
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let (realA, realB) = batch.pair
        let generatorBatch = batchesDone % nCritic == 0

        // Translations: with a graph on generator batches (the generator step reuses them).
        let (fakeA, fakeB): (Tensor, Tensor) = generatorBatch ? (gBA(realB), gAB(realA)) : withoutGrad { (gBA(realB), gAB(realA)) }

        // Critics, every batch.
        let lossDA = try criticLoss(dA, real: realA, fake: fakeA.detach())
        let lossDB = try criticLoss(dB, real: realB, fake: fakeB.detach())
        try optimize(optimizerDA, lossDA)
        try optimize(optimizerDB, lossDB)

        // Generators, every n_critic batches; their losses are carried to the batches between.
        if generatorBatch {
            let adversarial = frozen(dA) { frozen(dB) { -dA(fakeA).mean() - dB(fakeB).mean() } }
            let cycle = l1Loss(gBA(fakeB), realA) + l1Loss(gAB(fakeA), realB)
            let gLoss = adversarial + lambdaCycle * cycle
            try optimize(optimizerG, gLoss)
            _ = carried("g_loss", gLoss.item())
            _ = carried("adv", adversarial.item())
            _ = carried("cycle", cycle.item())
        }
        return [("d_loss", lossDA.item() + lossDB.item()), ("g_loss", carried("g_loss")), ("adv", carried("adv")),
                ("cycle", carried("cycle"))]
    }

    /// G_BA(inputs): images of domain B [N, C, S, S] in [-1, 1] to domain A, in the networks'
    /// current mode (`translateForOutput`: in eval mode, without a graph).
    public func translate(_ inputs: Tensor) throws(ConfigError) -> Tensor {
        try checkTranslationInput(inputs, model: Self.info.name, shape: config.imageShape)
        return gBA(inputs)
    }

    /// The reference's validation batch.
    public var progressExamples: Int { 16 }

    /// The reference's picture: tiles of an input over its translation, 8 per row: all A over
    /// G_AB(A), then all B over G_BA(B) (two rows each for its 16 examples); generators in
    /// eval mode.
    public func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int) {
        guard let examples else {
            let c = config.common
            return (Tensor.zeros([1, c.channels, 2 * c.imgSize, c.imgSize]), 8)
        }
        let (realA, realB) = examples.pair
        let (fakeB, fakeA) = inEvaluationMode([gAB, gBA]) { (gAB(realA), gBA(realB)) }
        return (Tensor.concat([Tensor.concat([realA, fakeB], dim: 2), Tensor.concat([realB, fakeA], dim: 2)], dim: 0), 8)
    }
}
