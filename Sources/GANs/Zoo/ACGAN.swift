// Conditional Image Synthesis with Auxiliary Classifier GANs — Odena et al., 2016, arXiv:1610.09585
// Differs from the reference: its aux_layer ends in Softmax and feeds CrossEntropyLoss, which
// applies its own log-softmax (a double softmax); the loss here is on the logits, as the paper.
import Autograd
import NN

/// The DCGAN-style generator body shared by acgan, sgan and infogan: BatchNorm, two nearest
/// 2x upsamplings each followed by a 3x3 conv, batch norm (eps 0.8 as the reference's
/// positional BatchNorm2d(n, 0.8); the papers intend the default eps) and LeakyReLU(0.2),
/// then a 3x3 conv to the image channels and tanh.
func upsamplingConvBlocks(channels: Int, generator rng: RandomGenerator) -> Sequential {
    Sequential(
        BatchNorm2d(128),
        Upsample(scaleFactor: 2),
        Conv2d(128, 128, kernelSize: 3, stride: 1, padding: 1, generator: rng),
        BatchNorm2d(128, 0.8),
        LeakyReLU(0.2),
        Upsample(scaleFactor: 2),
        Conv2d(128, 64, kernelSize: 3, stride: 1, padding: 1, generator: rng),
        BatchNorm2d(64, 0.8),
        LeakyReLU(0.2),
        Conv2d(64, channels, kernelSize: 3, stride: 1, padding: 1, generator: rng),
        Tanh())
}

/// The discriminator body of dcgan, shared by lsgan, dragan, relativistic_gan, acgan, sgan and
/// infogan (the references reuse it with other output layers): four stride-2 3x3 conv blocks
/// (16, 32, 64, 128 channels) with LeakyReLU(0.2), Dropout2d(0.25) and batch norm (eps 0.8)
/// after all but the first.
func downsamplingConvBlocks(channels: Int, generator rng: RandomGenerator, dropout: RandomGenerator) -> Sequential {
    func block(_ inFilters: Int, _ outFilters: Int, bn: Bool = true) -> [Module] {
        var layers: [Module] = [Conv2d(inFilters, outFilters, kernelSize: 3, stride: 2, padding: 1, generator: rng),
                                LeakyReLU(0.2), Dropout2d(0.25, generator: dropout)]
        if bn { layers.append(BatchNorm2d(outFilters, 0.8)) }
        return layers
    }
    return Sequential(block(channels, 16, bn: false) + block(16, 32) + block(32, 64) + block(64, 128))
}

/// The image sizes the shared conv bodies take (the generator upsamples by 4, the
/// discriminator halves the size 4 times).
func validateConvImageSize(_ config: ModelConfig, model: String) throws(ConfigError) {
    let s = config.common.imgSize
    guard s >= 16, s % 16 == 0 else {
        throw ConfigError("\(model) needs an image size that is a multiple of 16 (the generator upsamples by 4, the discriminator halves it 4 times); got \(s)")
    }
}

/// Noise times the label's embedding -> 128 x (size/4)^2 -> the shared upsampling body.
final class ACGANGenerator: Module {
    let labelEmb: Embedding
    let l1: Sequential
    let convBlocks: Sequential
    let initSize: Int

    init(latentDim: Int, classes: Int, channels: Int, imgSize: Int, generator rng: RandomGenerator) {
        initSize = imgSize / 4
        labelEmb = Embedding(classes, latentDim, generator: rng)
        l1 = Sequential(Linear(latentDim, 128 * initSize * initSize, generator: rng))
        convBlocks = upsamplingConvBlocks(channels: channels, generator: rng)
        super.init()
    }

    func callAsFunction(_ noise: Tensor, _ labels: [Int]) -> Tensor {
        let input = labelEmb(labels) * noise
        return convBlocks(l1(input).reshape([noise.shape[0], 128, initSize, initSize]))
    }
}

/// The shared downsampling body, then a sigmoid "real" probability (adv_layer) and class
/// logits (aux_layer: Linear, then a Softmax kept for the state dict's layout and used only
/// for inspection).
final class ACGANDiscriminator: Module {
    let convBlocks: Sequential
    let advLayer: Sequential
    let auxLayer: Sequential

    init(classes: Int, channels: Int, imgSize: Int, generator rng: RandomGenerator, dropout: RandomGenerator) {
        convBlocks = downsamplingConvBlocks(channels: channels, generator: rng, dropout: dropout)
        let features = 128 * (imgSize / 16) * (imgSize / 16)
        advLayer = Sequential(Linear(features, 1, generator: rng), Sigmoid())
        auxLayer = Sequential(Linear(features, classes, generator: rng), Softmax(dim: 1))
        super.init()
    }

    /// The probability that each image is real and its class logits.
    func callAsFunction(_ image: Tensor) -> (validity: Tensor, logits: Tensor) {
        let features = convBlocks(image).flatten()
        return (advLayer(features), auxLayer[0](features))
    }
}

public final class ACGAN: GANModel {
    public static let info = ModelInfo(name: "acgan", title: "Conditional Image Synthesis with Auxiliary Classifier GANs",
                                       citation: "Odena et al., 2016, arXiv:1610.09585", conditional: true, architecture: .conv)
    public static var defaults: CommonOptions { var c = CommonOptions(); c.imgSize = 32; return c }
    public static var options: [OptionSpec] { [OptionSpec("n-classes", .int, 10, "Number of classes for the dataset.")] }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        try validateConvImageSize(config, model: "acgan")
        guard config.int("n-classes") >= 2 else { throw ConfigError("--n-classes must be at least 2, got \(config.int("n-classes"))") }
    }

    public let config: ModelConfig
    let classes: Int
    let netG: ACGANGenerator
    let netD: ACGANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator
    let dropout: RandomGenerator
    let dParameters: [Tensor]

    public init(config: ModelConfig, seed: UInt64) {
        self.config = config
        let c = config.common
        classes = config.int("n-classes")
        let initRng = RandomGenerator(seed: seed &+ 1)
        dropout = RandomGenerator(seed: seed &+ 3)
        netG = ACGANGenerator(latentDim: c.latentDim, classes: classes, channels: c.channels, imgSize: c.imgSize, generator: initRng)
        netD = ACGANDiscriminator(classes: classes, channels: c.channels, imgSize: c.imgSize, generator: initRng, dropout: dropout)
        // The reference re-initialises conv weights N(0, 0.02) and BatchNorm2d weights N(1, 0.02).
        netG.apply { weightsInitNormal($0, generator: initRng) }
        netD.apply { weightsInitNormal($0, generator: initRng) }
        optimizerG = adam(netG, c)
        optimizerD = adam(netD, c)
        noise = RandomGenerator(seed: seed &+ 2)
        dParameters = netD.parameters()
    }

    public var generator: Module { netG }
    public var networks: [(name: String, module: Module)] { [("generator", netG), ("discriminator", netD)] }
    public var optimizers: [(name: String, optimizer: Optimizer)] { [("optimizer_G", optimizerG), ("optimizer_D", optimizerD)] }
    public var randomStreams: [(name: String, generator: RandomGenerator)] { [("noise", noise), ("dropout", dropout)] }

    public func trainStep(images real: Tensor, labels: [Int], batchesDone: Int) throws -> Losses {
        let n = real.shape[0]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])

        // Generator: D should call its images real and of the class they were drawn for.
        let z = Tensor.normal([n, latentDim], generator: noise)
        let genLabels = (0..<n).map { _ in noise.nextInt(below: classes) }
        let generated = netG(z, genLabels)
        let gLoss = frozen(dParameters) { () -> Tensor in
            let (validity, logits) = netD(generated)
            return 0.5 * (binaryCrossEntropy(validity, valid) + crossEntropy(logits, targets: genLabels))
        }
        try optimize(optimizerG, gLoss)

        // Discriminator: real or generated, and the class of both.
        let (realPred, realAux) = netD(real)
        let dRealLoss = (binaryCrossEntropy(realPred, valid) + crossEntropy(realAux, targets: labels)) / 2
        let (fakePred, fakeAux) = netD(generated.detach())
        let dFakeLoss = (binaryCrossEntropy(fakePred, fake) + crossEntropy(fakeAux, targets: genLabels)) / 2
        let dLoss = (dRealLoss + dFakeLoss) / 2
        let predicted = realAux.argmax(dim: 1) + fakeAux.argmax(dim: 1)
        let correct = zip(predicted, labels + genLabels).filter { $0 == $1 }.count
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("d_acc", Float(correct) / Float(2 * n)), ("g_loss", gLoss.item())]
    }

    public func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor {
        let z = try latentVectors(count, given: latent, generator: rng)
        return netG(z, try checkedLabels(labels, count: count, classes: classes, generator: rng))
    }
}
