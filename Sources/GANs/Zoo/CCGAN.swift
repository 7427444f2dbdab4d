// Semi-Supervised Learning with Context-Conditional Generative Adversarial Networks — Denton et al., 2016, arXiv:1611.06430
//
// Data: CelebA faces (ours are 89x109) stretched to 128x128 as the reference's Resize((128, 128)), a random 32x32 hole
// each, filled with -1; the last 1,000 faces are held out for pictures and `gan eval` (the reference trains on every file).
// Where we differ from the reference (ccgan.py), one line each:
// - The low-resolution input is made from the masked image, so the hole's contents do not leak into it; the reference makes it from the whole photo (--reference-low-resolution).
// - Weights N(0, 0.02) as the reference's weights_init_normal, which ccgan.py calls but no longer defines (it stops at start, its issue #159).
// - The low-resolution copy is a 4x4 average of the 128-pixel image (the reference: a bicubic resize of the photo to 32x32).
// As the reference: G's output replaces the whole image (not only the hole), LSGAN losses, no classifier (the paper's semi-supervised part).
import Autograd
import NN

/// G: U-Net from the masked image, with a 4x smaller copy joining after its second level,
/// to the whole image; D: strided conv blocks with instance norm, one score per patch.
/// G minimises LSGAN(D(G(x_masked, x_low))); D minimises 0.5 (LSGAN real + LSGAN fake).
public final class CCGAN: ZooModel, GANModel {
    public static let info = ModelInfo(
        name: "ccgan", title: "Semi-Supervised Learning with Context-Conditional Generative Adversarial Networks",
        citation: "Denton et al., 2016, arXiv:1611.06430",
        data: DataRequirement(.masked, dataset: "celeba", fit: .stretch, holeSize: 32, heldOut: 1000),
        architecture: .conv, output: .translation)

    public static var defaults: CommonOptions { CommonOptions(batchSize: 8, imgSize: 128, channels: 3, sampleInterval: 500) }

    public static var options: [OptionSpec] {
        [OptionSpec("mask-size", .int, 32, "Side of the square hole in each image."),
         OptionSpec("reference-low-resolution", .flag, 0, "Make the low-resolution input from the unmasked image, as the reference (it shows G the hole's contents).")]
    }

    /// The hole is filled with this value (black in [-1, 1]), as the reference.
    public static let holeFill: Float = -1
    /// How much smaller the low-resolution input is.
    public static let lowResolutionFactor = 4

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let s = config.common.imgSize, unit = 1 << UNetConfig.ccgan().widths.count
        guard s % unit == 0 else {
            throw ConfigError("ccgan needs an image size that is a multiple of \(unit) (its U-Net halves the image 6 times); got \(s)")
        }
        let hole = config.int("mask-size")
        guard hole > 0, hole < s else { throw ConfigError("--mask-size must be between 1 and the image size minus 1 (\(s - 1)), got \(hole)") }
    }

    public static func data(for config: ModelConfig) -> DataRequirement {
        var r = info.data
        r.holeSize = config.int("mask-size")
        return r
    }

    let netG: UNetGenerator
    let netD: InpaintingDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let holeSize: Int
    let referenceLowResolution: Bool

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        let dropout = parts.stream("dropout")
        netG = parts.network("generator", UNetGenerator(.ccgan(channels: c.channels), generator: parts.weights, dropoutGenerator: dropout))
        netD = parts.network("discriminator", InpaintingDiscriminator(inChannels: c.channels, generator: parts.weights))
        initializeDCGANWeights(netG, netD, generator: parts.weights)
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        holeSize = config.int("mask-size")
        referenceLowResolution = config.flag("reference-low-resolution")
        super.init(parts)
    }

    /// The images with their holes filled, and the low-resolution input for them.
    func inputs(_ batch: TrainingBatch) -> (masked: Tensor, lowResolution: Tensor) {
        let masked = Holes(batch.holes, size: holeSize).masked(batch.images, fill: Self.holeFill)
        return (masked, lowResolution(referenceLowResolution ? batch.images : masked))
    }

    func lowResolution(_ images: Tensor) -> Tensor {
        avgPool2d(images, kernelSize: Pair(Self.lowResolutionFactor))
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let (masked, low) = inputs(batch)

        // Generator: fool D with the filled image.
        let filled = netG(masked, low)
        let gLoss = frozen(netD) { () -> Tensor in
            let score = netD(filled)
            return mseLoss(score, Tensor.ones(score.shape))
        }
        try optimize(optimizerG, gLoss)

        // Discriminator: instance norm keeps the rows apart, so one pass scores both.
        let (real, fake) = scoreBoth(netD, batch.images, filled.detach())
        let dLoss = 0.5 * (mseLoss(real, Tensor.ones(real.shape)) + mseLoss(fake, Tensor.zeros(fake.shape)))
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item())]
    }

    /// G's output for images whose holes are already filled with -1 ([N, C, S, S]).
    public func translate(_ inputs: Tensor) throws(ConfigError) -> Tensor {
        try checkTranslationInput(inputs, model: Self.info.name, shape: config.imageShape)
        return netG(inputs, lowResolution(inputs))
    }

    public var progressExamples: Int { 10 }

    /// The reference's picture: per example, masked / generated / real stacked vertically,
    /// 5 per row.
    public func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int) {
        guard let examples else {
            let c = config.common
            return (Tensor.zeros([1, c.channels, 3 * c.imgSize, c.imgSize]), 5)
        }
        let (masked, low) = inputs(examples)
        let filled = inEvaluationMode(networks.map(\.module)) { netG(masked, low) }
        return (Tensor.concat([masked, filled, examples.images], dim: 2), 5)
    }
}
