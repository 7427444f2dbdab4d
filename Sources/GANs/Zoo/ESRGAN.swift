// ESRGAN: Enhanced Super-Resolution Generative Adversarial Networks — Wang et al., 2018, arXiv:1809.00219
//
// Data: random 128x128 crops (the paper's) of natural photographs at their own resolution (BSDS500's training photos;
// the reference resizes CelebA faces to 256), bicubic 4x smaller copies, both normalised with ImageNet's mean and std.
// Where we differ from the reference (esrgan.py), one line each:
// - G's relativistic loss has both of the paper's terms, averaged as the authors' code; the reference keeps only the fake-vs-real one (its issue #92) (--reference-adversarial).
// - LeakyReLU slope 0.2 in G, the paper's; the reference's nn.LeakyReLU() has 0.01 (--negative-slope 0.01).
// - VGG19 weights from --vgg19 FILE (torchvision's, as safetensors); --content-loss pixel leaves the feature loss out.
// As the reference: 500 warm-up batches of pixel L1 only, VGG19 features before the ReLU of conv5_4, Adam betas (0.9, 0.999),
// PyTorch's default init (the paper scales the RRDBs' initial weights by 0.1).
import Autograd
import NN

/// The reference's `GeneratorRRDB`: a 3x3 conv (`conv1`), RRDBs (`res_blocks`), a 3x3 conv
/// (`conv2`) added to conv1's output, two [conv to 4x the filters, LeakyReLU,
/// PixelShuffle(2)] (`upsampling`), then conv, LeakyReLU, conv to the image (`conv3`; no
/// output activation).
public final class RRDBGenerator: Module {
    public let conv1: Conv2d
    public let resBlocks: Sequential
    public let conv2: Conv2d
    public let upsampling: Sequential
    public let conv3: Sequential

    public init(channels: Int = 3, filters: Int = 64, residualBlocks: Int = 23, upsamplings: Int = 2, negativeSlope: Float,
                generator rng: RandomGenerator? = nil) {
        func conv(_ i: Int, _ o: Int) -> Conv2d { Conv2d(i, o, kernelSize: 3, stride: 1, padding: 1, generator: rng) }
        conv1 = conv(channels, filters)
        resBlocks = Sequential((0..<residualBlocks).map { _ in
            ResidualInResidualDenseBlock(filters, negativeSlope: negativeSlope, generator: rng) as Module
        })
        conv2 = conv(filters, filters)
        upsampling = Sequential((0..<upsamplings).flatMap { _ -> [Module] in
            [conv(filters, 4 * filters), LeakyReLU(negativeSlope), PixelShuffle(2)]
        })
        conv3 = Sequential(conv(filters, filters), LeakyReLU(negativeSlope), conv(filters, channels))
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor {
        let first = conv1(input)
        return conv3(upsampling(first + conv2(resBlocks(first))))
    }
}

/// G: residual-in-residual dense blocks with sub-pixel upsampling, 4x; D: SRGAN's. After
/// the warm-up, G minimises L1 of VGG19 features + 5e-3 relativistic average BCE + 1e-2
/// pixel L1, and D the relativistic average BCE of real against fake and fake against real.
public final class ESRGAN: ZooModel, GANModel {
    public static let info = ModelInfo(
        name: "esrgan", title: "ESRGAN: Enhanced Super-Resolution Generative Adversarial Networks",
        citation: "Wang et al., 2018, arXiv:1809.00219",
        data: DataRequirement(.superResolution, dataset: "bsds500", fit: .crop, normalization: .imagenet, scaleFactor: 4),
        architecture: .conv, output: .translation)

    public static var defaults: CommonOptions { CommonOptions(batchSize: 4, b1: 0.9, imgSize: 128, channels: 3, sampleInterval: 100) }

    public static var options: [OptionSpec] {
        [OptionSpec("residual-blocks", .int, 23, "Residual-in-residual dense blocks in the generator."),
         OptionSpec("warmup-batches", .int, 500, "Batches of pixel loss only before the adversarial training."),
         OptionSpec("lambda-adv", .float, 5e-3, "Weight of the relativistic adversarial loss."),
         OptionSpec("lambda-pixel", .float, 1e-2, "Weight of the pixel L1 loss."),
         OptionSpec("negative-slope", .float, 0.2, "Slope of G's LeakyReLUs (the reference: 0.01)."),
         OptionSpec("pixel-content-loss", .flag, 0, "Leave the VGG19 feature loss out (--content-loss pixel; needs no VGG19 weights)."),
         OptionSpec("reference-adversarial", .flag, 0, "G's relativistic loss with only the fake-vs-real term, as the reference.")]
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let s = config.common.imgSize
        guard s % 16 == 0 else {
            throw ConfigError("esrgan needs an image size that is a multiple of 16 (the low-resolution input is 4x smaller, D halves the image 4 times); got \(s)")
        }
        guard config.common.channels == 3 else { throw ConfigError("esrgan needs --channels 3 (its VGG19 loss takes RGB images)") }
        for name in ["residual-blocks", "warmup-batches"] where config.int(name) < 0 {
            throw ConfigError("--\(name) must not be negative, got \(config.int(name))")
        }
        for name in ["lambda-adv", "lambda-pixel", "negative-slope"] {
            let v = config.float(name)
            guard v >= 0, v.isFinite else { throw ConfigError("--\(name) must not be negative, got \(v)") }
        }
    }

    public let netG: RRDBGenerator
    let netD: SuperResolutionDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    var perceptual: PerceptualLoss?

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        netG = parts.network("generator", RRDBGenerator(channels: c.channels, residualBlocks: config.int("residual-blocks"),
                                                        negativeSlope: config.float("negative-slope"), generator: parts.weights))
        netD = parts.network("discriminator", SuperResolutionDiscriminator(inChannels: c.channels, generator: parts.weights))
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        super.init(parts)
    }

    public func prepareToTrain() throws {
        guard !config.flag("pixel-content-loss") else { return }
        perceptual = try PerceptualLoss.load(config, model: Self.info.name, layers: VGG19Features.conv5_4, from: Self.info.data.normalization)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        guard let low = batch.lowResolution else { preconditionFailure("esrgan: a batch without low-resolution images") }
        let high = batch.images
        let upsampled = netG(low)
        let pixelLoss = l1Loss(upsampled, high)
        if batchesDone < config.int("warmup-batches") {
            try optimize(optimizerG, pixelLoss)
            return [("pixel", pixelLoss.item())]
        }

        // Generator: relativistic average scores, each image against the other side's mean.
        let (advLoss, contentLoss) = try frozen(netD) { () throws -> (Tensor, Tensor) in
            let realScores = netD(high).detach(), fakeScores = netD(upsampled)
            let fakeVsReal = bceWithLogits(fakeScores - realScores.mean(dim: 0, keepDim: true), target: 1)
            let adv = config.flag("reference-adversarial") ? fakeVsReal
                : 0.5 * (fakeVsReal + bceWithLogits(realScores - fakeScores.mean(dim: 0, keepDim: true), target: 0))
            return (adv, try content(upsampled, high))
        }
        let gLoss = contentLoss + config.float("lambda-adv") * advLoss + config.float("lambda-pixel") * pixelLoss
        try optimize(optimizerG, gLoss)

        // Discriminator: real more realistic than the average fake, fake less than the average real.
        let real = netD(high), fake = netD(upsampled.detach())
        let dLoss = 0.5 * (bceWithLogits(real - fake.mean(dim: 0, keepDim: true), target: 1)
                           + bceWithLogits(fake - real.mean(dim: 0, keepDim: true), target: 0))
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item()), ("content", contentLoss.item()), ("adv", advLoss.item()),
                ("pixel", pixelLoss.item())]
    }

    /// The VGG19 feature loss, or nothing with --content-loss pixel.
    func content(_ output: Tensor, _ target: Tensor) throws -> Tensor {
        if config.flag("pixel-content-loss") { return Tensor(0) }
        guard let perceptual else { throw VGG19Features.missingWeights(model: Self.info.name) }
        return perceptual(output, target)
    }

    /// G(inputs): low-resolution images [N, C, h, w] of any size to [N, C, 4h, 4w].
    public func translate(_ inputs: Tensor) throws(ConfigError) -> Tensor {
        try checkSuperResolutionInput(inputs, model: Self.info.name, channels: config.common.channels)
        return netG(inputs)
    }

    public var progressExamples: Int { 4 }

    public func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int) {
        superResolutionGrid(examples, config: config) { (try? translateForOutput($0)) ?? upsample($0, scaleFactor: 4) }
    }
}

/// Mean binary cross-entropy of logits against a constant target (PyTorch's
/// BCEWithLogitsLoss against a tensor filled with it).
private func bceWithLogits(_ logits: Tensor, target: Float) -> Tensor {
    binaryCrossEntropyWithLogits(logits, Tensor.full(logits.shape, target))
}
