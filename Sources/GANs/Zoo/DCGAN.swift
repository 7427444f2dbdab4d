// Deep Convolutional GANs — Radford et al., 2015, arXiv:1511.06434
import Autograd
import NN

/// The shared downsampling body (Blocks/ConvStacks.swift), then a linear layer and a sigmoid.
final class DCGANDiscriminator: Module {
    let model: Sequential
    let advLayer: Sequential

    init(channels: Int, imgSize: Int, generator rng: RandomGenerator, dropout: RandomGenerator) {
        model = downsamplingConvBlocks(channels: channels, generator: rng, dropout: dropout)
        advLayer = Sequential(Linear(downsampledFeatures(imgSize: imgSize), 1, generator: rng), Sigmoid())
        super.init()
    }

    override func forward(_ image: Tensor) -> Tensor { advLayer(model(image).flatten()) }

    /// The score before the sigmoid (DRAGAN's penalty is taken on it).
    func logits(_ image: Tensor) -> Tensor { advLayer[0](model(image).flatten()) }
}

extension ModelParts {
    /// dcgan's generator and discriminator, re-initialised as the reference does, registered
    /// as "generator" and "discriminator" (also dragan's).
    func dcganNetworks(dropout: RandomGenerator) -> (ConvGenerator, DCGANDiscriminator) {
        let c = common
        let g = network("generator", ConvGenerator(inputDim: c.latentDim, channels: c.channels, imgSize: c.imgSize, generator: weights))
        let d = network("discriminator", DCGANDiscriminator(channels: c.channels, imgSize: c.imgSize, generator: weights, dropout: dropout))
        initializeDCGANWeights(g, d, generator: weights)
        return (g, d)
    }
}

/// Latent -> 128 x (size/4)^2 -> two nearest-upsample + 3x3 conv stages -> image (tanh),
/// against four stride-2 conv blocks and a sigmoid; binary cross-entropy, G first.
public final class DCGAN: ZooModel, GANModel {
    public static let info = ModelInfo(name: "dcgan", title: "Unsupervised Representation Learning with Deep Convolutional GANs",
                                       citation: "Radford et al., 2015, arXiv:1511.06434", architecture: .conv)
    public static var defaults: CommonOptions { CommonOptions(imgSize: 32) }
    public static func validate(_ config: ModelConfig) throws(ConfigError) { try validateConvImageSize(config, model: "dcgan") }

    let netG: ConvGenerator
    let netD: DCGANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed)
        noise = parts.stream("noise")
        (netG, netD) = parts.dcganNetworks(dropout: parts.stream("dropout"))
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        super.init(parts)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images, n = real.shape[0]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])

        let z = Tensor.normal([n, latentDim], generator: noise)
        let generated = netG(z)
        let gLoss = frozen(netD) { binaryCrossEntropy(netD(generated), valid) }
        try optimize(optimizerG, gLoss)

        let dLoss = (binaryCrossEntropy(netD(real), valid) + binaryCrossEntropy(netD(generated.detach()), fake)) / 2
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item())]
    }
}
