// Least Squares Generative Adversarial Networks — Mao et al., 2016, arXiv:1611.04076
import Autograd
import NN

/// dcgan's generator without the batch norm in front of the first upsampling: latent ->
/// 128 x (size/4)^2 -> two nearest-upsample + 3x3 conv stages (batch norm eps 0.8 as the
/// reference's BatchNorm2d(n, 0.8); the paper intends the default eps) -> image (tanh).
/// Also ebgan's generator.
final class LSGANGenerator: Module {
    let l1: Sequential
    let convBlocks: Sequential
    let initSize: Int

    init(latentDim: Int, channels: Int, imgSize: Int, generator rng: RandomGenerator) {
        initSize = imgSize / 4
        l1 = Sequential(Linear(latentDim, 128 * initSize * initSize, generator: rng))
        convBlocks = Sequential(
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

/// dcgan's discriminator (four stride-2 conv blocks with LeakyReLU, Dropout2d(0.25), batch
/// norm eps 0.8) with a plain linear output: a score, not a probability.
final class LSGANDiscriminator: Module {
    let model: Sequential
    let advLayer: Linear

    init(channels: Int, imgSize: Int, generator rng: RandomGenerator, dropout: RandomGenerator) {
        model = downsamplingConvBlocks(channels: channels, generator: rng, dropout: dropout)
        let ds = imgSize / 16
        advLayer = Linear(128 * ds * ds, 1, generator: rng)
        super.init()
    }

    override func forward(_ image: Tensor) -> Tensor { advLayer(model(image).flatten()) }
}

/// Least-squares losses with the 0-1 coding (a = 0 fake, b = c = 1 real).
public final class LSGAN: GANModel {
    public static let info = ModelInfo(name: "lsgan", title: "Least Squares Generative Adversarial Networks",
                                       citation: "Mao et al., 2016, arXiv:1611.04076", architecture: .conv)
    public static var defaults: CommonOptions { var c = CommonOptions(); c.imgSize = 32; c.sampleInterval = 1000; return c }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let s = config.common.imgSize
        guard s >= 16, s % 16 == 0 else {
            throw ConfigError("lsgan needs an image size that is a multiple of 16 (the generator upsamples by 4, the discriminator halves it 4 times); got \(s)")
        }
    }

    public let config: ModelConfig
    let netG: LSGANGenerator
    let netD: LSGANDiscriminator
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
        netG = LSGANGenerator(latentDim: c.latentDim, channels: c.channels, imgSize: c.imgSize, generator: initRng)
        netD = LSGANDiscriminator(channels: c.channels, imgSize: c.imgSize, generator: initRng, dropout: dropout)
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

        // Generator: push D(G(z)) to 1.
        let z = Tensor.normal([n, latentDim], generator: noise)
        let generated = netG(z)
        let gLoss = frozen(dParameters) { mseLoss(netD(generated), valid) }
        try optimize(optimizerG, gLoss)

        // Discriminator: D(real) to 1, D(G(z)) to 0.
        let realLoss = mseLoss(netD(real), valid)
        let fakeLoss = mseLoss(netD(generated.detach()), fake)
        let dLoss = 0.5 * (realLoss + fakeLoss)
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item())]
    }

    public func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor {
        netG(try latentVectors(count, given: latent, generator: rng))
    }
}
