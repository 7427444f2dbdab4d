// Image-to-Image Translation with Conditional Adversarial Networks — Isola et al., 2016, arXiv:1611.07004
//
// Input and target: the B half of each A|B pair is the input, A the target (facades: label
// map -> photo), as the reference; --a-to-b swaps them.
// Training split: train/ only, as the paper; the reference also trains on test/ (--train-on-test).
// Dropout: in U-Net decoder levels 1-3 only, as the paper (CD512-CD1024-CD1024); the reference
// also drops out in encoder levels 4-8 and decoder level 4 (--reference-dropout). Either way
// the weights and their names are the same.
// Pictures and `translate` run G in eval mode (no dropout), so they never draw from the
// dropout stream and training does not depend on how often it pictures; the paper and the
// reference keep dropout on at test time.
import Autograd
import NN

/// G: U-Net from the condition to the translated image, skips between mirror levels; D:
/// PatchGAN on (image, condition) concatenated, one score per 70x70 patch. G minimises
/// LSGAN(D(G(x), x)) + lambda * L1(G(x), y), then D minimises 0.5 (LSGAN real + LSGAN fake).
public final class Pix2Pix: ZooModel, GANModel {
    public static let info = ModelInfo(
        name: "pix2pix", title: "Image-to-Image Translation with Conditional Adversarial Networks",
        citation: "Isola et al., 2016, arXiv:1611.07004",
        data: DataRequirement(.pairs, dataset: "facades", fit: .stretch, flip: true, trainSplits: ["train"]),
        architecture: .conv, output: .translation)

    public static var defaults: CommonOptions { CommonOptions(batchSize: 1, imgSize: 256, channels: 3, sampleInterval: 500) }

    public static var options: [OptionSpec] {
        [OptionSpec("lambda-pixel", .float, 100, "Weight of the L1 loss between the translated image and the target."),
         OptionSpec("a-to-b", .flag, 0, "Translate the A half of each pair into the B half (default: B to A, as the reference)."),
         OptionSpec("train-on-test", .flag, 0, "Train on test/ as well as train/, as the reference does (the paper trains on train/ only)."),
         OptionSpec("reference-dropout", .flag, 0, "Dropout in encoder levels 4-8 and decoder levels 1-4, as the reference (the paper: decoder levels 1-3).")]
    }

    /// The U-Net halves the image 8 times, down to 1x1.
    public static let unetLevels = 8

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let s = config.common.imgSize, unit = 1 << unetLevels
        guard s % unit == 0 else {
            throw ConfigError("pix2pix needs an image size that is a multiple of \(unit) (its U-Net halves the image \(unetLevels) times, down to 1x1); got \(s)")
        }
        let lambda = config.float("lambda-pixel")
        guard lambda >= 0, lambda.isFinite else { throw ConfigError("--lambda-pixel must not be negative, got \(lambda)") }
    }

    public static func data(for config: ModelConfig) -> DataRequirement {
        var r = info.data
        if config.flag("train-on-test") { r.trainSplits = ["train", "test"] }
        return r
    }

    /// The reference's `GeneratorUNet`, with dropout where the paper has it unless --reference-dropout.
    static func generatorConfig(_ config: ModelConfig) -> UNetConfig {
        let c = config.common
        var unet = UNetConfig.pix2pix(inChannels: c.channels, outChannels: c.channels)
        if !config.flag("reference-dropout") {
            unet.downDropoutLevels = []
            unet.upDropoutLevels = [1, 2, 3]
        }
        return unet
    }

    let netG: UNetGenerator
    let netD: PatchDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let lambdaPixel: Float
    let aToB: Bool

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        let dropout = parts.stream("dropout")
        netG = parts.network("generator", UNetGenerator(Self.generatorConfig(config), generator: parts.weights, dropoutGenerator: dropout))
        netD = parts.network("discriminator", PatchDiscriminator(inChannels: 2 * c.channels, head: .zeroPadConv4(padding: 1, bias: false),
                                                                 generator: parts.weights))
        // Conv weights N(0, 0.02); the biases (D's convs, G's last) keep their default init, as the reference.
        initializeDCGANWeights(netG, netD, generator: parts.weights)
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        lambdaPixel = config.float("lambda-pixel")
        aToB = config.flag("a-to-b")
        super.init(parts)
    }

    /// The condition and the image to produce from it.
    public func inputAndTarget(_ batch: TrainingBatch) -> (input: Tensor, target: Tensor) {
        let (a, b) = batch.pair
        return aToB ? (a, b) : (b, a)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let (input, target) = inputAndTarget(batch)

        // Generator: fool D on (G(x), x) and stay close to the target in L1.
        let translated = netG(input)
        let (advLoss, pixelLoss) = frozen(netD) {
            let score = netD(translated, input)
            return (mseLoss(score, Tensor.ones(score.shape)), l1Loss(translated, target))
        }
        let gLoss = advLoss + lambdaPixel * pixelLoss
        try optimize(optimizerG, gLoss)

        // Discriminator: (y, x) is real, (G(x), x) fake. Instance norm keeps the rows apart,
        // so one pass over both is the reference's two.
        let (real, fake) = scoreBoth(netD, Tensor.concat([target, input], dim: 1),
                                     Tensor.concat([translated.detach(), input], dim: 1))
        let dLoss = 0.5 * (mseLoss(real, Tensor.ones(real.shape)) + mseLoss(fake, Tensor.zeros(fake.shape)))
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item()), ("pixel", pixelLoss.item()), ("adv", advLoss.item())]
    }

    /// G(inputs): condition images [N, C, S, S] in [-1, 1] to translated ones, in the
    /// networks' current mode (`translateForOutput`: in eval mode, without a graph).
    public func translate(_ inputs: Tensor) throws(ConfigError) -> Tensor {
        try checkTranslationInput(inputs, model: Self.info.name, shape: config.imageShape)
        return netG(inputs)
    }

    public var progressExamples: Int { 10 }

    /// The reference's picture: per example, input / output / target stacked vertically,
    /// 5 examples per row.
    public func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int) {
        guard let examples else {
            let c = config.common
            return (Tensor.zeros([1, c.channels, 3 * c.imgSize, c.imgSize]), 5)
        }
        let (input, target) = inputAndTarget(examples)
        let output = (try? translateForOutput(input)) ?? Tensor.zeros(input.shape)
        return (Tensor.concat([input, output, target], dim: 2), 5)
    }
}
