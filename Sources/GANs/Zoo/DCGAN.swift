// Deep Convolutional GANs — Radford et al., 2015, arXiv:1511.06434
import Autograd
import NN

/// Latent -> 128 x (size/4)^2 -> two nearest-upsample + 3x3 conv stages -> image (tanh).
final class DCGANGenerator: Module {
    let l1: Sequential
    let convBlocks: Sequential
    let initSize: Int

    init(latentDim: Int, channels: Int, imgSize: Int, generator rng: RandomGenerator) {
        initSize = imgSize / 4
        l1 = Sequential(Linear(latentDim, 128 * initSize * initSize, generator: rng))
        convBlocks = Sequential(
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
        super.init()
    }

    override func forward(_ z: Tensor) -> Tensor {
        convBlocks(l1(z).reshape([z.shape[0], 128, initSize, initSize]))
    }
}

/// Four stride-2 3x3 conv blocks (16, 32, 64, 128 channels) with LeakyReLU, Dropout2d(0.25)
/// and batch norm (eps 0.8) after all but the first; a linear layer and sigmoid on top.
final class DCGANDiscriminator: Module {
    let model: Sequential
    let advLayer: Sequential

    init(channels: Int, imgSize: Int, generator rng: RandomGenerator, dropout: RandomGenerator) {
        model = downsamplingConvBlocks(channels: channels, generator: rng, dropout: dropout)
        let ds = imgSize / 16
        advLayer = Sequential(Linear(128 * ds * ds, 1, generator: rng), Sigmoid())
        super.init()
    }

    override func forward(_ image: Tensor) -> Tensor { advLayer(model(image).flatten()) }

    /// The score before the sigmoid (DRAGAN's penalty is taken on it).
    func logits(_ image: Tensor) -> Tensor { advLayer[0](model(image).flatten()) }
}

public final class DCGAN: GANModel {
    public static let info = ModelInfo(name: "dcgan", title: "Unsupervised Representation Learning with Deep Convolutional GANs",
                                       citation: "Radford et al., 2015, arXiv:1511.06434", architecture: .conv)
    public static var defaults: CommonOptions { var c = CommonOptions(); c.imgSize = 32; return c }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let s = config.common.imgSize
        guard s >= 16, s % 16 == 0 else {
            throw ConfigError("dcgan needs an image size that is a multiple of 16 (the generator upsamples by 4, the discriminator halves it 4 times); got \(s)")
        }
    }

    public let config: ModelConfig
    let netG: DCGANGenerator
    let netD: DCGANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator
    let dropout: RandomGenerator
    let dParameters: [Tensor]

    public init(config: ModelConfig, seed: UInt64) {
        self.config = config
        let c = config.common
        let initRng = RandomGenerator(seed: seed &+ 1)
        dropout = RandomGenerator(seed: seed &+ 3)
        netG = DCGANGenerator(latentDim: c.latentDim, channels: c.channels, imgSize: c.imgSize, generator: initRng)
        netD = DCGANDiscriminator(channels: c.channels, imgSize: c.imgSize, generator: initRng, dropout: dropout)
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

        let z = Tensor.normal([n, latentDim], generator: noise)
        let generated = netG(z)
        let gLoss = frozen(dParameters) { binaryCrossEntropy(netD(generated), valid) }
        try optimize(optimizerG, gLoss)

        let realLoss = binaryCrossEntropy(netD(real), valid)
        let fakeLoss = binaryCrossEntropy(netD(generated.detach()), fake)
        let dLoss = (realLoss + fakeLoss) / 2
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item())]
    }

    public func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor {
        netG(try latentVectors(count, given: latent, generator: rng))
    }
}
