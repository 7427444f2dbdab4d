// InfoGAN: Interpretable Representation Learning by Information Maximizing GANs — Chen et al., 2016, arXiv:1606.03657
// Differs from the reference: its aux_layer ends in Softmax and feeds CrossEntropyLoss, which
// applies its own log-softmax (a double softmax); the loss here is on the logits, as the paper.
import Autograd
import NN

/// The shared downsampling body, then a raw validity score (adv_layer, least squares),
/// logits of the categorical code (aux_layer, a Linear: the reference's Softmax after it has
/// no parameters) and the continuous code's estimate (latent_layer).
final class InfoGANDiscriminator: Module {
    let convBlocks: Sequential
    let advLayer: Sequential
    let auxLayer: Sequential
    let latentLayer: Sequential

    init(classes: Int, codeDim: Int, channels: Int, imgSize: Int, generator rng: RandomGenerator, dropout: RandomGenerator) {
        convBlocks = downsamplingConvBlocks(channels: channels, generator: rng, dropout: dropout)
        let features = downsampledFeatures(imgSize: imgSize)
        advLayer = Sequential(Linear(features, 1, generator: rng))
        auxLayer = Sequential(Linear(features, classes, generator: rng))
        latentLayer = Sequential(Linear(features, codeDim, generator: rng))
        super.init()
    }

    func features(_ image: Tensor) -> Tensor { convBlocks(image).flatten() }
    func validity(_ image: Tensor) -> Tensor { advLayer(features(image)) }
    /// Logits of the categorical code and the continuous code's estimate.
    func codes(_ image: Tensor) -> (logits: Tensor, code: Tensor) {
        let f = features(image)
        return (auxLayer(f), latentLayer(f))
    }
}

/// [noise, one-hot categorical code, continuous code] -> dcgan's generator, against the
/// shared downsampling body with three heads; G and D also learn together to recover both
/// codes from the images (the information loss).
public final class InfoGAN: ZooModel, GANModel {
    public static let info = ModelInfo(name: "infogan", title: "InfoGAN: Interpretable Representation Learning by Information Maximizing GANs",
                                       citation: "Chen et al., 2016, arXiv:1606.03657", conditional: true, architecture: .conv)
    public static var defaults: CommonOptions { CommonOptions(latentDim: 62, imgSize: 32) }
    public static var options: [OptionSpec] {
        [OptionSpec("n-classes", .int, 10, "Number of values of the categorical code."),
         OptionSpec("code-dim", .int, 2, "Dimension of the continuous code.")]
    }

    /// The reference's weights of the categorical and continuous information losses.
    static let lambdaCat: Float = 1, lambdaCon: Float = 0.1

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        try validateConvImageSize(config, model: "infogan")
        try validateClassCount(config, minimum: 2)
        guard config.int("code-dim") >= 1 else { throw ConfigError("--code-dim must be positive, got \(config.int("code-dim"))") }
    }

    let classes: Int
    let codeDim: Int
    let netG: ConvGenerator
    let netD: InfoGANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let optimizerInfo: Adam
    let noise: RandomGenerator

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        classes = config.int("n-classes")
        codeDim = config.int("code-dim")
        noise = parts.stream("noise")
        let dropout = parts.stream("dropout")
        netG = parts.network("generator", ConvGenerator(inputDim: c.latentDim + classes + codeDim, channels: c.channels, imgSize: c.imgSize,
                                                        generator: parts.weights))
        netD = parts.network("discriminator", InfoGANDiscriminator(classes: classes, codeDim: codeDim, channels: c.channels, imgSize: c.imgSize,
                                                                   generator: parts.weights, dropout: dropout))
        initializeDCGANWeights(netG, netD, generator: parts.weights)
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        optimizerInfo = parts.adam("optimizer_info", netG, netD)
        super.init(parts)
    }

    /// G([z, one-hot labels, code]).
    func generate(_ z: Tensor, _ labels: [Int], _ code: Tensor) -> Tensor {
        netG(Tensor.concat([z, Tensor.oneHot(labels, classes: classes), code], dim: 1))
    }

    /// Noise N(0, 1), a uniformly drawn categorical code and a continuous code U(-1, 1).
    func generatorInput(_ n: Int) -> (z: Tensor, labels: [Int], code: Tensor) {
        let z = Tensor.normal([n, latentDim], generator: noise)
        let labels = (0..<n).map { _ in noise.nextInt(below: classes) }
        let code = Tensor.uniform([n, codeDim], low: -1, high: 1, generator: noise)
        return (z, labels, code)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images, n = real.shape[0]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])

        // Generator: make D score generated images as real (least squares).
        let g = generatorInput(n)
        let generated = generate(g.z, g.labels, g.code)
        let gLoss = frozen(netD) { mseLoss(netD.validity(generated), valid) }
        try optimize(optimizerG, gLoss)

        // Discriminator: real images real, generated ones fake.
        let dRealLoss = mseLoss(netD.validity(real), valid)
        let dFakeLoss = mseLoss(netD.validity(generated.detach()), fake)
        let dLoss = (dRealLoss + dFakeLoss) / 2
        try optimize(optimizerD, dLoss)

        // Information loss: G and D together recover both codes from fresh samples.
        let i = generatorInput(n)
        let infoImages = generate(i.z, i.labels, i.code)
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
        return generate(z, cat, code)
    }
}
