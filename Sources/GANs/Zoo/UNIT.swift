// Unsupervised Image-to-Image Translation Networks — Liu et al., 2017, arXiv:1703.00848
//
// Where we differ from the reference (unit.py), one line each:
// - The shared blocks reach Adam once (the reference chains E1, E2, G1, G2's parameters, so Adam steps the shared ones twice per iteration).
// - G1 runs on (z1, z2) as one batch, as G2 on (z2, z1): instance norm keeps rows apart, so the numbers are the same with fewer passes.
// - Translations (`gan sample`, pictures) decode the mean mu, as the official code's sampling; the reference's pictures decode noisy z.
// - --decay-epoch >= --n-epochs keeps the rate constant (the reference asserts), so short runs need no extra flag.
// - The encoders' first instance norm has --dim channels (the reference: 64 whatever --dim, so other widths fail there).
import Autograd
import NN

/// The reference's `Encoder`: a 7x7 stem to `dim` channels (IN, LeakyReLU 0.2), stride-2 4x4
/// convs doubling them (IN, ReLU; 64 -> 256 at the defaults), three residual blocks
/// (`model_blocks`), then the residual block both encoders share (`shared_block`); its
/// output is the latent mean mu.
public final class UNITEncoder: Module {
    public let modelBlocks: Sequential
    public let sharedBlock: ResidualBlock

    public init(inChannels: Int = 3, dim: Int = 64, downsamplings: Int = 2, shared: ResidualBlock, generator rng: RandomGenerator? = nil) {
        var layers: [Module] = [ReflectionPad2d(3), Conv2d(inChannels, dim, kernelSize: 7, generator: rng), InstanceNorm2d(dim), LeakyReLU(0.2)]
        var c = dim
        for _ in 0..<downsamplings {
            layers += [Conv2d(c, c * 2, kernelSize: 4, stride: 2, padding: 1, generator: rng), InstanceNorm2d(c * 2), ReLU()]
            c *= 2
        }
        for _ in 0..<3 { layers.append(ResidualBlock.cyclegan(c, blockName: "conv_block", generator: rng)) }
        modelBlocks = Sequential(layers)
        sharedBlock = shared
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor { sharedBlock(modelBlocks(input)) }
}

/// The reference's `Generator`: the residual block both generators share (`shared_block`),
/// then three residual blocks, stride-2 4x4 transposed convs halving the channels back to
/// `dim` (IN, LeakyReLU 0.2) and a 7x7 conv to the image, Tanh (`model_blocks`).
public final class UNITGenerator: Module {
    public let sharedBlock: ResidualBlock
    public let modelBlocks: Sequential

    public init(outChannels: Int = 3, dim: Int = 64, upsamplings: Int = 2, shared: ResidualBlock, generator rng: RandomGenerator? = nil) {
        var c = dim << upsamplings
        var layers: [Module] = (0..<3).map { _ in ResidualBlock.cyclegan(c, blockName: "conv_block", generator: rng) }
        for _ in 0..<upsamplings {
            layers += [ConvTranspose2d(c, c / 2, kernelSize: 4, stride: 2, padding: 1, generator: rng), InstanceNorm2d(c / 2), LeakyReLU(0.2)]
            c /= 2
        }
        layers += [ReflectionPad2d(3), Conv2d(c, outChannels, kernelSize: 7, generator: rng), Tanh()]
        sharedBlock = shared
        modelBlocks = Sequential(layers)
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor { modelBlocks(sharedBlock(input)) }
}

/// An encoder and the other domain's generator: one translation, as `gan sample` loads it
/// (`encoder.*`, `generator.*`).
public final class UNITTranslator: Module {
    public let encoder: UNITEncoder
    public let generator: UNITGenerator

    public init(encoder: UNITEncoder, generator: UNITGenerator) {
        self.encoder = encoder
        self.generator = generator
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor { generator(encoder(input)) }
}

/// Two VAE-GANs, one per domain, whose encoders end and whose generators begin with one
/// shared residual block each: a shared latent space. z = mu + N(0, 1). G minimises, for
/// both domains, lambda_0 LSGAN(D(translation)), lambda_1 mean(mu^2), lambda_2 L1(recon),
/// lambda_3 mean(mu'^2) of the re-encoded translation and lambda_4 L1 of the cycle
/// X1 -> E1 -> G2 -> E2 -> G1 (and back). Each D minimises LSGAN real + LSGAN fake. The rate
/// is constant for --decay-epoch epochs, then falls linearly to 0 at --n-epochs.
public final class UNIT: ZooModel, GANModel {
    public static let info = ModelInfo(
        name: "unit", title: "Unsupervised Image-to-Image Translation Networks",
        citation: "Liu et al., 2017, arXiv:1703.00848",
        data: DataRequirement(.unpaired, dataset: "apple2orange", fit: .randomCrop, loadScale: 1.12, flip: true),
        architecture: .conv, output: .translation)

    public static var defaults: CommonOptions { CommonOptions(batchSize: 1, lr: 0.0001, imgSize: 256, channels: 3, sampleInterval: 100) }

    public static var options: [OptionSpec] {
        [OptionSpec("dim", .int, 64, "Channels of the encoders' first layer (doubled by each of their two downsamplings)."),
         OptionSpec("decay-epoch", .int, 100, "Epoch from which the learning rate falls linearly to 0 at --n-epochs.")]
    }

    /// The reference's loss weights: GAN, KL of the encodings, reconstruction, KL of the
    /// re-encoded translations, cycle.
    public static let lambdas: (gan: Float, kl: Float, id: Float, klTranslated: Float, cycle: Float) = (10, 0.1, 100, 0.1, 100)

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let s = config.common.imgSize
        // D halves the image 4 times and instance-normalises what is left, which needs 2x2 pixels.
        guard s % 16 == 0, s >= 32 else {
            throw ConfigError("unit needs an image size that is a multiple of 16 and at least 32 (its discriminators halve the image 4 times and normalise what is left, which needs 2x2 pixels); got \(s)")
        }
        guard config.int("dim") >= 1 else { throw ConfigError("--dim must be positive, got \(config.int("dim"))") }
        guard config.int("decay-epoch") >= 0 else { throw ConfigError("--decay-epoch must not be negative, got \(config.int("decay-epoch"))") }
    }

    let E1: UNITEncoder
    let E2: UNITEncoder
    let G1: UNITGenerator
    let G2: UNITGenerator
    let D1: PatchDiscriminator
    let D2: PatchDiscriminator
    let optimizerG: Adam
    let optimizerD1: Adam
    let optimizerD2: Adam
    let schedules: [LambdaLR]
    /// The reparameterisation's N(0, 1) draws.
    let noise: RandomGenerator

    /// The reference's discriminator: PatchD(64..512) with a 3x3 head.
    static func discriminator(channels: Int, generator rng: RandomGenerator) -> PatchDiscriminator {
        PatchDiscriminator(inChannels: channels, head: .conv3, generator: rng)
    }

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common, w = parts.weights
        let dim = config.int("dim"), sharedDim = dim << 2
        let sharedE = ResidualBlock.cyclegan(sharedDim, blockName: "conv_block", generator: w)
        let sharedG = ResidualBlock.cyclegan(sharedDim, blockName: "conv_block", generator: w)
        E1 = parts.network("E1", UNITEncoder(inChannels: c.channels, dim: dim, shared: sharedE, generator: w))
        E2 = parts.network("E2", UNITEncoder(inChannels: c.channels, dim: dim, shared: sharedE, generator: w))
        G1 = parts.network("G1", UNITGenerator(outChannels: c.channels, dim: dim, shared: sharedG, generator: w))
        G2 = parts.network("G2", UNITGenerator(outChannels: c.channels, dim: dim, shared: sharedG, generator: w))
        D1 = parts.network("D1", Self.discriminator(channels: c.channels, generator: w))
        D2 = parts.network("D2", Self.discriminator(channels: c.channels, generator: w))
        // `gan sample` translates B -> A (E2 then G1), as cyclegan's default direction.
        _ = parts.sampler(UNITTranslator(encoder: E2, generator: G1))
        // Conv weights N(0, 0.02); biases keep PyTorch's default init, as the reference.
        for net: Module in [E1, E2, G1, G2, D1, D2] { net.apply { weightsInitNormal($0, generator: w) } }
        noise = parts.stream("noise")
        var seen = Set<ObjectIdentifier>()
        let generatorSide = [E1, E2].flatMap { $0.parameters() } + [G1, G2].flatMap { $0.parameters() }
        optimizerG = parts.optimizer("optimizer_G", Adam(parameters: generatorSide.filter { seen.insert(ObjectIdentifier($0)).inserted },
                                                          learningRate: c.lr, betas: (c.b1, c.b2)))
        optimizerD1 = parts.adam("optimizer_D1", D1)
        optimizerD2 = parts.adam("optimizer_D2", D2)
        let factor = CycleGAN.rateFactor(config)
        schedules = [optimizerG, optimizerD1, optimizerD2].map { LambdaLR($0, factor: factor) }
        super.init(parts)
    }

    /// The rate of `epoch` for G and both Ds.
    public func epochStarted(_ epoch: Int) {
        for s in schedules { s.lastEpoch = epoch }
    }

    /// The reparameterisation: mu + N(0, 1).
    func sampled(_ mu: Tensor) -> Tensor { mu + Tensor.normal(mu.shape, generator: noise) }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let (x1, x2) = batch.pair
        let l = Self.lambdas

        // Encoders and generators: reconstructions, translations, their re-encodings, cycles.
        let mu1 = E1(x1), mu2 = E2(x2)
        let z1 = sampled(mu1), z2 = sampled(mu2)
        let (reconX1, fakeX1) = scoreBoth(G1, z1, z2)
        let (reconX2, fakeX2) = scoreBoth(G2, z2, z1)
        let mu1Translated = E1(fakeX1), mu2Translated = E2(fakeX2)
        let cycleX1 = G1(sampled(mu2Translated)), cycleX2 = G2(sampled(mu1Translated))
        let adversarial = frozen(D1) { frozen(D2) {
            let s1 = D1(fakeX1), s2 = D2(fakeX2)
            return l.gan * (mseLoss(s1, Tensor.ones(s1.shape)) + mseLoss(s2, Tensor.ones(s2.shape)))
        } }
        let kl = l.kl * (mu1.square().mean() + mu2.square().mean())
            + l.klTranslated * (mu1Translated.square().mean() + mu2Translated.square().mean())
        let identity = l.id * (l1Loss(reconX1, x1) + l1Loss(reconX2, x2))
        let cycle = l.cycle * (l1Loss(cycleX1, x1) + l1Loss(cycleX2, x2))
        let gLoss = adversarial + kl + identity + cycle
        try optimize(optimizerG, gLoss)

        // Discriminators: real images against the detached translations.
        func discriminatorLoss(_ d: PatchDiscriminator, real: Tensor, fake: Tensor) -> Tensor {
            let (onReal, onFake) = scoreBoth(d, real, fake.detach())
            return mseLoss(onReal, Tensor.ones(onReal.shape)) + mseLoss(onFake, Tensor.zeros(onFake.shape))
        }
        let d1Loss = discriminatorLoss(D1, real: x1, fake: fakeX1)
        try optimize(optimizerD1, d1Loss)
        let d2Loss = discriminatorLoss(D2, real: x2, fake: fakeX2)
        try optimize(optimizerD2, d2Loss)

        return [("d_loss", d1Loss.item() + d2Loss.item()), ("g_loss", gLoss.item()), ("adv", adversarial.item()),
                ("kl", kl.item()), ("identity", identity.item()), ("cycle", cycle.item())]
    }

    /// B is the input, A the target (facades: label map -> photo), as cyclegan's.
    public func inputAndTarget(_ batch: TrainingBatch) -> (input: Tensor, target: Tensor) {
        let (a, b) = batch.pair
        return (b, a)
    }

    /// G1(E2(inputs)): images of domain B [N, C, S, S] in [-1, 1] to domain A, decoded from the mean.
    public func translate(_ inputs: Tensor) throws(ConfigError) -> Tensor {
        try checkTranslationInput(inputs, model: Self.info.name, shape: config.imageShape)
        return G1(E2(inputs))
    }

    public var progressExamples: Int { 5 }

    /// The reference's picture: X1, X1 -> 2, X2, X2 -> 1, 5 examples per row (each example's
    /// four images stacked vertically).
    public func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int) {
        let c = config.common
        guard let examples else { return (Tensor.zeros([1, c.channels, 4 * c.imgSize, c.imgSize]), 5) }
        let (x1, x2) = examples.pair
        let (fakeX2, fakeX1) = inEvaluationMode(networks.map(\.module)) { (G2(E1(x1)), G1(E2(x2))) }
        return (Tensor.concat([x1, fakeX2, x2, fakeX1], dim: 2), 5)
    }
}
