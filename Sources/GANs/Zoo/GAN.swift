// Generative Adversarial Networks — Goodfellow et al., 2014, arXiv:1406.2661
import Autograd
import NN

/// Latent vector -> 128 -> 256 -> 512 -> 1024 -> image, each hidden layer with batch norm
/// (eps 0.8 as the reference's positional BatchNorm1d(n, 0.8); the paper has none) and
/// LeakyReLU(0.2); tanh output.
final class GANGenerator: Module {
    let model: Sequential
    let imageShape: [Int]

    init(latentDim: Int, imageShape: [Int], generator rng: RandomGenerator) {
        func block(_ inFeatures: Int, _ outFeatures: Int, normalize: Bool = true) -> [Module] {
            var layers: [Module] = [Linear(inFeatures, outFeatures, generator: rng)]
            if normalize { layers.append(BatchNorm1d(outFeatures, 0.8)) }
            layers.append(LeakyReLU(0.2))
            return layers
        }
        var layers = block(latentDim, 128, normalize: false)
        layers += block(128, 256)
        layers += block(256, 512)
        layers += block(512, 1024)
        layers += [Linear(1024, imageShape.reduce(1, *), generator: rng), Tanh()]
        model = Sequential(layers)
        self.imageShape = imageShape
        super.init()
    }

    override func forward(_ z: Tensor) -> Tensor { model(z).reshape([z.shape[0]] + imageShape) }
}

/// Image -> 512 -> 256 -> 1 with LeakyReLU(0.2), sigmoid probability of "real".
final class GANDiscriminator: Module {
    let model: Sequential

    init(imageShape: [Int], generator rng: RandomGenerator) {
        model = Sequential(
            Linear(imageShape.reduce(1, *), 512, generator: rng), LeakyReLU(0.2),
            Linear(512, 256, generator: rng), LeakyReLU(0.2),
            Linear(256, 1, generator: rng), Sigmoid())
        super.init()
    }

    override func forward(_ image: Tensor) -> Tensor { model(image.flatten()) }
}

public final class GAN: GANModel {
    public static let info = ModelInfo(name: "gan", title: "Generative Adversarial Networks",
                                       citation: "Goodfellow et al., 2014, arXiv:1406.2661", architecture: .mlp)
    public static var defaults: CommonOptions { CommonOptions() }

    public let config: ModelConfig
    let netG: GANGenerator
    let netD: GANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator
    let dParameters: [Tensor]

    public init(config: ModelConfig, seed: UInt64) {
        self.config = config
        let c = config.common
        let initRng = RandomGenerator(seed: seed &+ 1)
        netG = GANGenerator(latentDim: c.latentDim, imageShape: config.imageShape, generator: initRng)
        netD = GANDiscriminator(imageShape: config.imageShape, generator: initRng)
        optimizerG = adam(netG, c)
        optimizerD = adam(netD, c)
        noise = RandomGenerator(seed: seed &+ 2)
        dParameters = netD.parameters()
    }

    public var generator: Module { netG }
    public var networks: [(name: String, module: Module)] { [("generator", netG), ("discriminator", netD)] }
    public var optimizers: [(name: String, optimizer: Optimizer)] { [("optimizer_G", optimizerG), ("optimizer_D", optimizerD)] }
    public var randomStreams: [(name: String, generator: RandomGenerator)] { [("noise", noise)] }

    public func trainStep(images real: Tensor, labels: [Int], batchesDone: Int) throws -> Losses {
        let n = real.shape[0]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])

        // Generator: make D call generated images real.
        let z = Tensor.normal([n, latentDim], generator: noise)
        let generated = netG(z)
        let gLoss = frozen(dParameters) { binaryCrossEntropy(netD(generated), valid) }
        try optimize(optimizerG, gLoss)

        // Discriminator: real images real, generated ones fake.
        let (dReal, dFake) = scoreBoth(netD, real, generated.detach())
        let realLoss = binaryCrossEntropy(dReal, valid)
        let fakeLoss = binaryCrossEntropy(dFake, fake)
        let dLoss = (realLoss + fakeLoss) / 2
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item())]
    }

    public func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor {
        netG(try latentVectors(count, given: latent, generator: rng))
    }
}
