// Context Encoders: Feature Learning by Inpainting — Pathak et al., 2016, arXiv:1604.07379
//
// Data: CelebA faces (ours are 89x109) stretched to 128x128 as the reference's Resize((128, 128)); training holes
// 64x64 at random places, pictures and `gan eval` centred ones, filled with +1 (white); the last 1,000 faces are
// held out (the reference: the last 4,000 of 202,599).
// As the reference: 0.999 L1 + 0.001 adversarial (LSGAN); the paper's reconstruction loss is L2 (--l2-loss).
// As the reference: G paints only the hole, whose side is half the image (the reference ignores its --mask_size).
import Autograd
import NN

/// The reference's `Generator`, one Sequential `model`: five conv 4/2/1 (BN.8 but on the
/// first, LeakyReLU(0.2)) from the image to 512 channels, a 1x1 conv to 4000, four
/// transposed conv 4/2/1 (BN.8, ReLU) back to 64, a conv 3/1/1 to the image and Tanh: half
/// the input's size out.
public final class ContextEncoderGenerator: Module {
    public let model: Sequential

    public init(channels: Int = 3, generator rng: RandomGenerator? = nil) {
        func down(_ i: Int, _ o: Int, norm: Bool = true) -> [Module] {
            [Conv2d(i, o, kernelSize: 4, stride: 2, padding: 1, generator: rng)] + (norm ? [BatchNorm2d(o, 0.8)] : []) + [LeakyReLU(0.2)]
        }
        func up(_ i: Int, _ o: Int) -> [Module] {
            [ConvTranspose2d(i, o, kernelSize: 4, stride: 2, padding: 1, generator: rng), BatchNorm2d(o, 0.8), ReLU()]
        }
        let encoder = down(channels, 64, norm: false) + down(64, 64) + down(64, 128) + down(128, 256) + down(256, 512)
        let decoder = up(4000, 512) + up(512, 256) + up(256, 128) + up(128, 64)
        model = Sequential(encoder + [Conv2d(512, 4000, kernelSize: 1, generator: rng)] + decoder
                           + [Conv2d(64, channels, kernelSize: 3, stride: 1, padding: 1, generator: rng), Tanh()])
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor { model(input) }
}

/// G: an encoder of stride-2 convs to a 4000-channel 1x1 bottleneck (at 128 px: 4x4) and a
/// decoder of transposed convs back to the hole's size; D: strided conv blocks with instance
/// norm on hole-sized patches. G minimises 0.999 L1(G(x), hole) + 0.001 LSGAN(D(G(x))); D
/// minimises 0.5 (LSGAN(D(hole)) real + LSGAN(D(G(x))) fake).
public final class ContextEncoder: ZooModel, GANModel {
    public static let info = ModelInfo(
        name: "context_encoder", title: "Context Encoders: Feature Learning by Inpainting",
        citation: "Pathak et al., 2016, arXiv:1604.07379",
        data: DataRequirement(.masked, dataset: "celeba", fit: .stretch, holeSize: 64, heldOut: 1000),
        architecture: .conv, output: .translation)

    public static var defaults: CommonOptions { CommonOptions(batchSize: 8, imgSize: 128, channels: 3, sampleInterval: 500) }

    public static var options: [OptionSpec] {
        [OptionSpec("lambda-adv", .float, 0.001, "Weight of the adversarial loss; the reconstruction loss weighs 1 minus it."),
         OptionSpec("l2-loss", .flag, 0, "The paper's L2 reconstruction loss instead of the reference's L1.")]
    }

    /// The hole is filled with this value (white in [-1, 1]), as the reference.
    public static let holeFill: Float = 1

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let s = config.common.imgSize
        guard s % 32 == 0 else {
            throw ConfigError("context_encoder needs an image size that is a multiple of 32 (its encoder halves the image 5 times); got \(s)")
        }
        let lambda = config.float("lambda-adv")
        guard (0...1).contains(lambda) else { throw ConfigError("--lambda-adv must be between 0 and 1, got \(lambda)") }
    }

    /// The hole is half the image: G paints a patch of that size.
    public static func data(for config: ModelConfig) -> DataRequirement {
        var r = info.data
        r.holeSize = config.common.imgSize / 2
        return r
    }

    public let netG: ContextEncoderGenerator
    let netD: InpaintingDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let holeSize: Int
    let lambdaAdv: Float
    let l2: Bool

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        netG = parts.network("generator", ContextEncoderGenerator(channels: c.channels, generator: parts.weights))
        netD = parts.network("discriminator", InpaintingDiscriminator(inChannels: c.channels, generator: parts.weights))
        initializeDCGANWeights(netG, netD, generator: parts.weights)
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        holeSize = c.imgSize / 2
        lambdaAdv = config.float("lambda-adv")
        l2 = config.flag("l2-loss")
        super.init(parts)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let holes = Holes(batch.holes, size: holeSize)
        let masked = holes.masked(batch.images, fill: Self.holeFill), truth = holes.contents(batch.images)

        // Generator: paint the hole close to its contents and so that D takes it for real.
        let painted = netG(masked)
        let advLoss = frozen(netD) { () -> Tensor in
            let score = netD(painted)
            return mseLoss(score, Tensor.ones(score.shape))
        }
        let pixelLoss = l2 ? mseLoss(painted, truth) : l1Loss(painted, truth)
        let gLoss = lambdaAdv * advLoss + (1 - lambdaAdv) * pixelLoss
        try optimize(optimizerG, gLoss)

        // Discriminator on the true and the painted holes; instance norm keeps rows apart.
        let (real, fake) = scoreBoth(netD, truth, painted.detach())
        let dLoss = 0.5 * (mseLoss(real, Tensor.ones(real.shape)) + mseLoss(fake, Tensor.zeros(fake.shape)))
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_adv", advLoss.item()), ("g_pixel", pixelLoss.item())]
    }

    /// The painted holes ([N, C, S/2, S/2]) for images whose holes are filled with +1.
    public func translate(_ inputs: Tensor) throws(ConfigError) -> Tensor {
        try checkTranslationInput(inputs, model: Self.info.name, shape: config.imageShape)
        return netG(inputs)
    }

    /// `images` with the square at (x, y) of side S/2 painted by G (in eval mode).
    public func inpaint(_ images: Tensor, x: Int, y: Int) throws(ConfigError) -> Tensor {
        let holes = Holes(x: x, y: y, size: holeSize, count: images.shape[0])
        let masked = holes.masked(images, fill: Self.holeFill)
        return holes.pasted(try translateForOutput(masked), into: masked)
    }

    public var progressExamples: Int { 12 }

    /// The reference's picture: per held-out example (centred hole), masked / filled /
    /// original stacked vertically, 6 per row.
    public func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int) {
        guard let examples else {
            let c = config.common
            return (Tensor.zeros([1, c.channels, 3 * c.imgSize, c.imgSize]), 6)
        }
        let holes = Holes(examples.holes, size: holeSize)
        let masked = holes.masked(examples.images, fill: Self.holeFill)
        let painted = (try? translateForOutput(masked)) ?? holes.contents(masked)
        return (Tensor.concat([masked, holes.pasted(painted, into: masked), examples.images], dim: 2), 6)
    }
}
