// InfoGAN: Interpretable Representation Learning by Information Maximizing GANs — Chen et al., 2016, arXiv:1606.03657
// Differs from the reference: its aux_layer ends in Softmax and feeds CrossEntropyLoss, which
// applies its own log-softmax (a double softmax); the loss here is on the logits, as the paper.
import Autograd
import NN

/// [noise, one-hot categorical code, continuous code] -> 128 x (size/4)^2 -> the shared
/// upsampling body (ACGAN.swift).
final class InfoGANGenerator: Module {
    let l1: Sequential
    let convBlocks: Sequential
    let initSize: Int

    init(inputDim: Int, channels: Int, imgSize: Int, generator rng: RandomGenerator) {
        initSize = imgSize / 4
        l1 = Sequential(Linear(inputDim, 128 * initSize * initSize, generator: rng))
        convBlocks = upsamplingConvBlocks(channels: channels, generator: rng)
        super.init()
    }

    func callAsFunction(_ noise: Tensor, _ labels: Tensor, _ code: Tensor) -> Tensor {
        let input = Tensor.concat([noise, labels, code], dim: 1)
        return convBlocks(l1(input).reshape([noise.shape[0], 128, initSize, initSize]))
    }
}

/// The shared downsampling body, then a raw validity score (adv_layer, least squares),
/// logits of the categorical code (aux_layer: Linear, then a Softmax kept for the state
/// dict's layout) and the continuous code's estimate (latent_layer).
final class InfoGANDiscriminator: Module {
    let convBlocks: Sequential
    let advLayer: Sequential
    let auxLayer: Sequential
    let latentLayer: Sequential

    init(classes: Int, codeDim: Int, channels: Int, imgSize: Int, generator rng: RandomGenerator, dropout: RandomGenerator) {
        convBlocks = downsamplingConvBlocks(channels: channels, generator: rng, dropout: dropout)
        let features = 128 * (imgSize / 16) * (imgSize / 16)
        advLayer = Sequential(Linear(features, 1, generator: rng))
        auxLayer = Sequential(Linear(features, classes, generator: rng), Softmax(dim: 1))
        latentLayer = Sequential(Linear(features, codeDim, generator: rng))
        super.init()
    }

    func features(_ image: Tensor) -> Tensor { convBlocks(image).flatten() }
    func validity(_ image: Tensor) -> Tensor { advLayer(features(image)) }
    /// Logits of the categorical code and the continuous code's estimate.
    func codes(_ image: Tensor) -> (logits: Tensor, code: Tensor) {
        let f = features(image)
        return (auxLayer[0](f), latentLayer(f))
    }
}

public final class InfoGAN: GANModel {
    public static let info = ModelInfo(name: "infogan", title: "InfoGAN: Interpretable Representation Learning by Information Maximizing GANs",
                                       citation: "Chen et al., 2016, arXiv:1606.03657", conditional: true, architecture: .conv)
    public static var defaults: CommonOptions { var c = CommonOptions(); c.imgSize = 32; c.latentDim = 62; return c }
    public static var options: [OptionSpec] {
        [OptionSpec("n-classes", .int, 10, "Number of values of the categorical code."),
         OptionSpec("code-dim", .int, 2, "Dimension of the continuous code.")]
    }

    /// The reference's weights of the categorical and continuous information losses.
    static let lambdaCat: Float = 1, lambdaCon: Float = 0.1

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        try validateConvImageSize(config, model: "infogan")
        guard config.int("n-classes") >= 2 else { throw ConfigError("--n-classes must be at least 2, got \(config.int("n-classes"))") }
        guard config.int("code-dim") >= 1 else { throw ConfigError("--code-dim must be positive, got \(config.int("code-dim"))") }
    }

    public let config: ModelConfig
    let classes: Int
    let codeDim: Int
    let netG: InfoGANGenerator
    let netD: InfoGANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let optimizerInfo: Adam
    let noise: RandomGenerator
    let dropout: RandomGenerator
    let dParameters: [Tensor]

    public init(config: ModelConfig, seed: UInt64) {
        self.config = config
        let c = config.common
        classes = config.int("n-classes")
        codeDim = config.int("code-dim")
        let initRng = RandomGenerator(seed: seed &+ 1)
        dropout = RandomGenerator(seed: seed &+ 3)
        netG = InfoGANGenerator(inputDim: c.latentDim + classes + codeDim, channels: c.channels, imgSize: c.imgSize, generator: initRng)
        netD = InfoGANDiscriminator(classes: classes, codeDim: codeDim, channels: c.channels, imgSize: c.imgSize,
                                    generator: initRng, dropout: dropout)
        // The reference re-initialises conv weights N(0, 0.02) and batch-norm weights N(1, 0.02).
        netG.apply { weightsInitNormal($0, generator: initRng) }
        netD.apply { weightsInitNormal($0, generator: initRng) }
        optimizerG = adam(netG, c)
        optimizerD = adam(netD, c)
        optimizerInfo = Adam(parameters: netG.parameters() + netD.parameters(), learningRate: c.lr, betas: (c.b1, c.b2))
        noise = RandomGenerator(seed: seed &+ 2)
        dParameters = netD.parameters()
    }

    public var generator: Module { netG }
    public var networks: [(name: String, module: Module)] { [("generator", netG), ("discriminator", netD)] }
    public var optimizers: [(name: String, optimizer: Optimizer)] {
        [("optimizer_G", optimizerG), ("optimizer_D", optimizerD), ("optimizer_info", optimizerInfo)]
    }
    public var randomStreams: [(name: String, generator: RandomGenerator)] { [("noise", noise), ("dropout", dropout)] }

    /// Noise N(0, 1), a uniformly drawn categorical code and a continuous code U(-1, 1).
    func generatorInput(_ n: Int) -> (z: Tensor, labels: [Int], code: Tensor) {
        let z = Tensor.normal([n, latentDim], generator: noise)
        let labels = (0..<n).map { _ in noise.nextInt(below: classes) }
        let code = Tensor.uniform([n, codeDim], low: -1, high: 1, generator: noise)
        return (z, labels, code)
    }

    public func trainStep(images real: Tensor, labels: [Int], batchesDone: Int) throws -> Losses {
        let n = real.shape[0]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])

        // Generator: make D score generated images as real (least squares).
        let g = generatorInput(n)
        let generated = netG(g.z, Tensor.oneHot(g.labels, classes: classes), g.code)
        let gLoss = frozen(dParameters) { mseLoss(netD.validity(generated), valid) }
        try optimize(optimizerG, gLoss)

        // Discriminator: real images real, generated ones fake.
        let dRealLoss = mseLoss(netD.validity(real), valid)
        let dFakeLoss = mseLoss(netD.validity(generated.detach()), fake)
        let dLoss = (dRealLoss + dFakeLoss) / 2
        try optimize(optimizerD, dLoss)

        // Information loss: G and D together recover both codes from fresh samples.
        let i = generatorInput(n)
        let infoImages = netG(i.z, Tensor.oneHot(i.labels, classes: classes), i.code)
        let (logits, code) = netD.codes(infoImages)
        let infoLoss = Self.lambdaCat * crossEntropy(logits, targets: i.labels) + Self.lambdaCon * mseLoss(code, i.code)
        try optimize(optimizerInfo, infoLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item()), ("info_loss", infoLoss.item())]
    }

    /// `labels` set the categorical code; the continuous code is drawn from its prior U(-1, 1).
    public func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor {
        let z = try latentVectors(count, given: latent, generator: rng)
        let cat = try checkedLabels(labels, count: count, classes: classes, generator: rng)
        let code = Tensor.uniform([count, codeDim], low: -1, high: 1, generator: rng)
        return netG(z, Tensor.oneHot(cat, classes: classes), code)
    }
}
