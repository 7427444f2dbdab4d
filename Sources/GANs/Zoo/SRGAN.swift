// Photo-Realistic Single Image Super-Resolution Using a Generative Adversarial Network — Ledig et al., 2016, arXiv:1609.04802
//
// Data: random 96x96 crops (the paper's) of natural photographs at their own resolution (BSDS500's training photos;
// the reference resizes CelebA faces to 256), and bicubic 4x smaller copies of them; both in [-1, 1].
// Where we differ from the reference (srgan.py), one line each:
// - Images in [-1, 1], which G's Tanh can reach; the reference normalises them with ImageNet's mean and std, out of Tanh's reach (its issue #54) (--imagenet-normalization).
// - VGG19 features after the ReLU of conv5_4 (the paper's VGG54); the reference takes them after conv3_4 (PR #162) (--reference-vgg-layer).
// - VGG19 weights from --vgg19 FILE (torchvision's, as safetensors); --content-loss pixel trains with the paper's pixel MSE instead.
// As the reference: the content loss is an L1 between features (the paper: MSE), LSGAN adversarial terms, PyTorch's default init.
import Autograd
import NN

/// The reference's `GeneratorResNet`: a 9x9 conv and PReLU (`conv1`), residual blocks
/// (`res_blocks`), a 3x3 conv and BN.8 (`conv2`) added to conv1's output, two
/// [conv to 256, BN, PixelShuffle(2), PReLU] (`upsampling`), a 9x9 conv and Tanh (`conv3`).
public final class SRGANGenerator: Module {
    public let conv1: Sequential
    public let resBlocks: Sequential
    public let conv2: Sequential
    public let upsampling: Sequential
    public let conv3: Sequential

    public init(inChannels: Int = 3, outChannels: Int = 3, residualBlocks: Int = 16, generator rng: RandomGenerator? = nil) {
        conv1 = Sequential(Conv2d(inChannels, 64, kernelSize: 9, stride: 1, padding: 4, generator: rng), PReLU())
        resBlocks = Sequential((0..<residualBlocks).map { _ in ResidualBlock.srgan(64, generator: rng) as Module })
        conv2 = Sequential(Conv2d(64, 64, kernelSize: 3, stride: 1, padding: 1, generator: rng), BatchNorm2d(64, 0.8))
        upsampling = Sequential((0..<2).flatMap { _ -> [Module] in
            [Conv2d(64, 256, kernelSize: 3, stride: 1, padding: 1, generator: rng), BatchNorm2d(256), PixelShuffle(2), PReLU()]
        })
        conv3 = Sequential(Conv2d(64, outChannels, kernelSize: 9, stride: 1, padding: 4, generator: rng), Tanh())
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor {
        let first = conv1(input)
        return conv3(upsampling(first + conv2(resBlocks(first))))
    }
}

/// G: residual network with sub-pixel upsampling, 4x; D: the paper's VGG-style strided
/// discriminator. G minimises a VGG19 feature loss to the original + 1e-3 LSGAN(D(G(x)));
/// D minimises 0.5 (LSGAN real + LSGAN fake).
public final class SRGAN: ZooModel, GANModel {
    public static let info = ModelInfo(
        name: "srgan", title: "Photo-Realistic Single Image Super-Resolution Using a Generative Adversarial Network",
        citation: "Ledig et al., 2016, arXiv:1609.04802",
        data: DataRequirement(.superResolution, dataset: "bsds500", fit: .crop, scaleFactor: 4),
        architecture: .conv, output: .translation)

    public static var defaults: CommonOptions { CommonOptions(batchSize: 4, imgSize: 96, channels: 3, sampleInterval: 100) }

    public static var options: [OptionSpec] {
        [OptionSpec("n-residual-blocks", .int, 16, "Residual blocks in the generator."),
         OptionSpec("lambda-adv", .float, 0.001, "Weight of the adversarial loss."),
         OptionSpec("pixel-content-loss", .flag, 0, "Pixel MSE instead of the VGG19 feature loss (--content-loss pixel; needs no VGG19 weights)."),
         OptionSpec("reference-vgg-layer", .flag, 0, "VGG19 features after conv3_4, as the reference (the paper: after conv5_4)."),
         OptionSpec("imagenet-normalization", .flag, 0, "Normalise images with ImageNet's mean and std, as the reference (out of reach of G's Tanh).")]
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let s = config.common.imgSize
        guard s % 16 == 0 else {
            throw ConfigError("srgan needs an image size that is a multiple of 16 (the low-resolution input is 4x smaller, D halves the image 4 times); got \(s)")
        }
        guard config.common.channels == 3 else { throw ConfigError("srgan needs --channels 3 (its VGG19 loss takes RGB images)") }
        guard config.int("n-residual-blocks") >= 0 else { throw ConfigError("--n-residual-blocks must not be negative, got \(config.int("n-residual-blocks"))") }
    }

    public static func data(for config: ModelConfig) -> DataRequirement {
        var r = info.data
        if config.flag("imagenet-normalization") { r.normalization = .imagenet }
        return r
    }

    public let netG: SRGANGenerator
    let netD: SuperResolutionDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let lambdaAdv: Float
    /// The VGG19 loss, loaded by `prepareToTrain` (nil with --content-loss pixel).
    var perceptual: PerceptualLoss?

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        netG = parts.network("generator", SRGANGenerator(inChannels: c.channels, outChannels: c.channels,
                                                         residualBlocks: config.int("n-residual-blocks"), generator: parts.weights))
        netD = parts.network("discriminator", SuperResolutionDiscriminator(inChannels: c.channels, generator: parts.weights))
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        lambdaAdv = config.float("lambda-adv")
        super.init(parts)
    }

    public func prepareToTrain() throws {
        guard !config.flag("pixel-content-loss") else { return }
        let layers = config.flag("reference-vgg-layer") ? VGG19Features.relu3_4 : VGG19Features.relu5_4
        perceptual = try PerceptualLoss.load(config, model: Self.info.name, layers: layers, from: Self.data(for: config).normalization)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        guard let low = batch.lowResolution else { preconditionFailure("srgan: a batch without low-resolution images") }
        let high = batch.images

        // Generator: close to the original in VGG19 features (or pixels), and fooling D.
        let upsampled = netG(low)
        let advLoss = frozen(netD) { () -> Tensor in
            let score = netD(upsampled)
            return mseLoss(score, Tensor.ones(score.shape))
        }
        let contentLoss: Tensor
        if config.flag("pixel-content-loss") {
            contentLoss = mseLoss(upsampled, high)
        } else {
            guard let perceptual else { throw VGG19Features.missingWeights(model: Self.info.name) }
            contentLoss = perceptual(upsampled, high)
        }
        let gLoss = contentLoss + lambdaAdv * advLoss
        try optimize(optimizerG, gLoss)

        // Discriminator: two passes, as its batch norms see each batch on its own.
        let real = netD(high), fake = netD(upsampled.detach())
        let dLoss = 0.5 * (mseLoss(real, Tensor.ones(real.shape)) + mseLoss(fake, Tensor.zeros(fake.shape)))
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item()), ("content", contentLoss.item()), ("adv", advLoss.item())]
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
