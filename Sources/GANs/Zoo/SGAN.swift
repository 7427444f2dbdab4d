// Semi-Supervised Learning with Generative Adversarial Networks — Odena, 2016, arXiv:1606.01583
// Differs from the reference: its aux_layer ends in Softmax and feeds CrossEntropyLoss, which
// applies its own log-softmax (a double softmax); the loss here is on the logits, as the paper.
import Autograd
import NN

/// Noise -> 128 x (size/4)^2 -> the shared upsampling body (ACGAN.swift). The reference
/// declares a label embedding it never uses; it is kept (frozen) so state dicts match.
final class SGANGenerator: Module {
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
        freeze { $0.hasPrefix("label_emb.") }
    }

    override func forward(_ z: Tensor) -> Tensor {
        convBlocks(l1(z).reshape([z.shape[0], 128, initSize, initSize]))
    }
}

/// The shared downsampling body, then a sigmoid "real" probability (adv_layer) and logits
/// over the classes plus one "generated" class (aux_layer: Linear, then a Softmax kept for
/// the state dict's layout).
final class SGANDiscriminator: Module {
    let convBlocks: Sequential
    let advLayer: Sequential
    let auxLayer: Sequential

    init(classes: Int, channels: Int, imgSize: Int, generator rng: RandomGenerator, dropout: RandomGenerator) {
        convBlocks = downsamplingConvBlocks(channels: channels, generator: rng, dropout: dropout)
        let features = 128 * (imgSize / 16) * (imgSize / 16)
        advLayer = Sequential(Linear(features, 1, generator: rng), Sigmoid())
        auxLayer = Sequential(Linear(features, classes + 1, generator: rng), Softmax(dim: 1))
        super.init()
    }

    func callAsFunction(_ image: Tensor) -> (validity: Tensor, logits: Tensor) {
        let features = convBlocks(image).flatten()
        return (advLayer(features), auxLayer[0](features))
    }
}

public final class SGAN: GANModel {
    public static let info = ModelInfo(name: "sgan", title: "Semi-Supervised Learning with Generative Adversarial Networks",
                                       citation: "Odena, 2016, arXiv:1606.01583", architecture: .conv)
    public static var defaults: CommonOptions { var c = CommonOptions(); c.imgSize = 32; return c }
    /// The reference calls it --num_classes.
    public static var options: [OptionSpec] { [OptionSpec("n-classes", .int, 10, "Number of classes for the dataset (the reference's --num_classes).")] }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        try validateConvImageSize(config, model: "sgan")
        guard config.int("n-classes") >= 1 else { throw ConfigError("--n-classes must be positive, got \(config.int("n-classes"))") }
    }

    public let config: ModelConfig
    let classes: Int
    let netG: SGANGenerator
    let netD: SGANDiscriminator
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
        netG = SGANGenerator(latentDim: c.latentDim, classes: classes, channels: c.channels, imgSize: c.imgSize, generator: initRng)
        netD = SGANDiscriminator(classes: classes, channels: c.channels, imgSize: c.imgSize, generator: initRng, dropout: dropout)
        // The reference re-initialises conv weights N(0, 0.02) and batch-norm weights N(1, 0.02).
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
        let fakeClass = [Int](repeating: classes, count: n)

        // Generator: make D call generated images real (the class head plays no part).
        let z = Tensor.normal([n, latentDim], generator: noise)
        let generated = netG(z)
        let gLoss = frozen(dParameters) { binaryCrossEntropy(netD(generated).validity, valid) }
        try optimize(optimizerG, gLoss)

        // Discriminator: real images real and of their class; generated ones fake and of
        // the extra class.
        let (realPred, realAux) = netD(real)
        let dRealLoss = (binaryCrossEntropy(realPred, valid) + crossEntropy(realAux, targets: labels)) / 2
        let (fakePred, fakeAux) = netD(generated.detach())
        let dFakeLoss = (binaryCrossEntropy(fakePred, fake) + crossEntropy(fakeAux, targets: fakeClass)) / 2
        let dLoss = (dRealLoss + dFakeLoss) / 2
        let predicted = realAux.argmax(dim: 1) + fakeAux.argmax(dim: 1)
        let correct = zip(predicted, labels + fakeClass).filter { $0 == $1 }.count
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("d_acc", Float(correct) / Float(2 * n)), ("g_loss", gLoss.item())]
    }

    public func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor {
        netG(try latentVectors(count, given: latent, generator: rng))
    }
}
