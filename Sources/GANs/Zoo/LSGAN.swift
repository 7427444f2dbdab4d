// Least Squares Generative Adversarial Networks — Mao et al., 2016, arXiv:1611.04076
import Autograd
import NN

/// dcgan's discriminator with a plain linear output: a score, not a probability.
final class LSGANDiscriminator: Module {
    let model: Sequential
    let advLayer: Linear

    init(channels: Int, imgSize: Int, generator rng: RandomGenerator, dropout: RandomGenerator) {
        model = downsamplingConvBlocks(channels: channels, generator: rng, dropout: dropout)
        advLayer = Linear(downsampledFeatures(imgSize: imgSize), 1, generator: rng)
        super.init()
    }

    override func forward(_ image: Tensor) -> Tensor { advLayer(model(image).flatten()) }
}

/// dcgan's generator without the batch norm in front of the first upsampling, against
/// LSGANDiscriminator; least-squares losses with the 0-1 coding (a = 0 fake, b = c = 1 real).
public final class LSGAN: ZooModel, GANModel {
    public static let info = ModelInfo(name: "lsgan", title: "Least Squares Generative Adversarial Networks",
                                       citation: "Mao et al., 2016, arXiv:1611.04076", architecture: .conv)
    public static var defaults: CommonOptions { CommonOptions(imgSize: 32, sampleInterval: 1000) }
    public static func validate(_ config: ModelConfig) throws(ConfigError) { try validateConvImageSize(config, model: "lsgan") }

    let netG: ConvGenerator
    let netD: LSGANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        noise = parts.stream("noise")
        let dropout = parts.stream("dropout")
        netG = parts.network("generator", ConvGenerator(inputDim: c.latentDim, channels: c.channels, imgSize: c.imgSize,
                                                        leadingBatchNorm: false, generator: parts.weights))
        netD = parts.network("discriminator", LSGANDiscriminator(channels: c.channels, imgSize: c.imgSize, generator: parts.weights, dropout: dropout))
        initializeDCGANWeights(netG, netD, generator: parts.weights)
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        super.init(parts)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images, n = real.shape[0]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])

        // Generator: push D(G(z)) to 1.
        let z = Tensor.normal([n, latentDim], generator: noise)
        let generated = netG(z)
        let gLoss = frozen(netD) { mseLoss(netD(generated), valid) }
        try optimize(optimizerG, gLoss)

        // Discriminator: D(real) to 1, D(G(z)) to 0.
        let dLoss = 0.5 * (mseLoss(netD(real), valid) + mseLoss(netD(generated.detach()), fake))
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item())]
    }
}
