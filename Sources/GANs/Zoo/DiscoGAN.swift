// Learning to Discover Cross-Domain Relations with Generative Adversarial Networks (DiscoGAN)
// — Kim et al., 2017, arXiv:1703.05192
//
// Data: by default the paper's unpaired setting: A and B of a pix2pix-format set (A|B files)
// drawn independently, as two domains. The reference adds an L1 term between each translation
// and its paired target (so it needs pairs); --paired-l1 restores it, and then the data is
// pairs, flipped together.
// Losses: LSGAN for both directions and cycle L1, each averaged over the two directions, all
// weight 1, as the reference (the paper's generators minimise the sum).
// Pictures and `translate` run the generators in eval mode (no dropout), as the reference's
// sample_images; the networks, names, N(0, 0.02) init and optimisers are the reference's.
import Autograd
import NN

/// G_AB, G_BA: 6-level U-Nets (64 px down to 1x1, convs with bias, IN, dropout);
/// D_A, D_B: PatchGANs (64, 128, 256; IN), one score per patch (H/8 x W/8).
/// G minimises (LSGAN(D_B(G_AB(a))) + LSGAN(D_A(G_BA(b)))) / 2 + (L1(G_BA(G_AB(a)), a) +
/// L1(G_AB(G_BA(b)), b)) / 2; each D minimises 0.5 (LSGAN real + LSGAN fake).
public final class DiscoGAN: ZooModel, GANModel {
    public static let info = ModelInfo(
        name: "discogan", title: "Learning to Discover Cross-Domain Relations with Generative Adversarial Networks",
        citation: "Kim et al., 2017, arXiv:1703.05192",
        data: DataRequirement(.unpaired, dataset: "edges2shoes", fit: .stretch, flip: true),
        architecture: .conv, output: .translation)

    public static var defaults: CommonOptions { CommonOptions(imgSize: 64, channels: 3, sampleInterval: 100) }

    public static var options: [OptionSpec] {
        [OptionSpec("paired-l1", .flag, 0,
                    "Add the reference's L1 loss between each translation and its paired target (trains on pairs; the paper's DiscoGAN is unpaired).")]
    }

    /// The U-Nets halve the image 6 times, down to 1x1 at 64 px.
    public static let unetLevels = 6

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let s = config.common.imgSize, unit = 1 << unetLevels
        guard s % unit == 0 else {
            throw ConfigError("discogan needs an image size that is a multiple of \(unit) (its U-Nets halve the image \(unetLevels) times, down to 1x1 at \(unit)); got \(s)")
        }
    }

    /// Unpaired domains, or pairs flipped together with --paired-l1.
    public static func data(for config: ModelConfig) -> DataRequirement {
        var r = info.data
        if config.flag("paired-l1") { r.kind = .pairs }
        return r
    }

    let gAB: UNetGenerator
    let gBA: UNetGenerator
    let dA: PatchDiscriminator
    let dB: PatchDiscriminator
    let optimizerG: Adam
    let optimizerDA: Adam
    let optimizerDB: Adam
    let pairedL1: Bool

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        let dropout = parts.stream("dropout")
        let unet = UNetConfig.discogan(channels: c.channels)
        gAB = parts.network("G_AB", UNetGenerator(unet, generator: parts.weights, dropoutGenerator: dropout))
        // `gan sample` translates B -> A, as pix2pix's default direction.
        gBA = parts.network("G_BA", UNetGenerator(unet, generator: parts.weights, dropoutGenerator: dropout), samples: true)
        dA = parts.network("D_A", PatchDiscriminator(inChannels: c.channels, widths: [64, 128, 256], generator: parts.weights))
        dB = parts.network("D_B", PatchDiscriminator(inChannels: c.channels, widths: [64, 128, 256], generator: parts.weights))
        // Conv weights N(0, 0.02); biases keep their default init, as the reference.
        initializeDCGANWeights(gAB, gBA, dA, dB, generator: parts.weights)
        optimizerG = parts.adam("optimizer_G", gAB, gBA)
        optimizerDA = parts.adam("optimizer_D_A", dA)
        optimizerDB = parts.adam("optimizer_D_B", dB)
        pairedL1 = config.flag("paired-l1")
        super.init(parts)
    }

    /// B is translated into A (`translate` runs G_BA), as pix2pix's default direction.
    public func inputAndTarget(_ batch: TrainingBatch) -> (input: Tensor, target: Tensor) {
        let (a, b) = batch.pair
        return (b, a)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let (realA, realB) = batch.pair

        // Generators: fool both discriminators, and come back through the other generator.
        let fakeB = gAB(realA), fakeA = gBA(realB)
        let adversarial = frozen(dA) {
            frozen(dB) {
                let scoreB = dB(fakeB), scoreA = dA(fakeA)
                return 0.5 * (mseLoss(scoreB, Tensor.ones(scoreB.shape)) + mseLoss(scoreA, Tensor.ones(scoreA.shape)))
            }
        }
        let cycle = 0.5 * (l1Loss(gBA(fakeB), realA) + l1Loss(gAB(fakeA), realB))
        var gLoss = adversarial + cycle
        var pixel: Tensor?
        if pairedL1 {
            let p = 0.5 * (l1Loss(fakeA, realA) + l1Loss(fakeB, realB))
            gLoss = gLoss + p
            pixel = p
        }
        try optimize(optimizerG, gLoss)

        // Discriminators: real images against this batch's translations. Instance norm keeps
        // the rows apart, so one pass over both is the reference's two.
        func discriminatorLoss(_ d: PatchDiscriminator, _ real: Tensor, _ fake: Tensor) -> Tensor {
            let (r, f) = scoreBoth(d, real, fake.detach())
            return 0.5 * (mseLoss(r, Tensor.ones(r.shape)) + mseLoss(f, Tensor.zeros(f.shape)))
        }
        let lossDA = discriminatorLoss(dA, realA, fakeA)
        try optimize(optimizerDA, lossDA)
        let lossDB = discriminatorLoss(dB, realB, fakeB)
        try optimize(optimizerDB, lossDB)

        var losses: Losses = [("d_loss", 0.5 * (lossDA.item() + lossDB.item())), ("g_loss", gLoss.item()), ("adv", adversarial.item())]
        if let pixel { losses.append(("pixel", pixel.item())) }
        losses.append(("cycle", cycle.item()))
        return losses
    }

    /// G_BA(inputs): images of domain B [N, C, S, S] in [-1, 1] to domain A, in the networks'
    /// current mode (`translateForOutput`: in eval mode, without a graph).
    public func translate(_ inputs: Tensor) throws(ConfigError) -> Tensor {
        try checkTranslationInput(inputs, model: Self.info.name, shape: config.imageShape)
        return gBA(inputs)
    }

    /// The reference's validation batch.
    public var progressExamples: Int { 16 }

    /// The reference's picture: all real_A, then fake_B = G_AB(real_A), real_B, fake_A =
    /// G_BA(real_B), 8 per row (two rows each for its 16 examples); generators in eval mode.
    public func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int) {
        guard let examples else {
            let c = config.common
            return (Tensor.zeros([1, c.channels, c.imgSize, c.imgSize]), 8)
        }
        let (realA, realB) = examples.pair
        let (fakeB, fakeA) = inEvaluationMode([gAB, gBA]) { (gAB(realA), gBA(realB)) }
        return (Tensor.concat([realA, fakeB, realB, fakeA], dim: 0), 8)
    }
}
