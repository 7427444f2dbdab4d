// The relativistic discriminator (RSGAN, RaSGAN) — Jolicoeur-Martineau, 2018, arXiv:1807.00734
import Autograd
import NN

/// dcgan's discriminator with a linear output (a critic C, no sigmoid); its output layer is
/// Sequential(Linear) as the reference's (`adv_layer.0.weight`).
final class RelativisticDiscriminator: Module {
    let model: Sequential
    let advLayer: Sequential

    init(channels: Int, imgSize: Int, generator rng: RandomGenerator, dropout: RandomGenerator) {
        model = downsamplingConvBlocks(channels: channels, generator: rng, dropout: dropout)
        advLayer = Sequential(Linear(downsampledFeatures(imgSize: imgSize), 1, generator: rng))
        super.init()
    }

    override func forward(_ image: Tensor) -> Tensor { advLayer(model(image).flatten()) }
}

/// dcgan's generator; D estimates how much more real a real image is than a generated one:
/// BCE-with-logits of C(x_r) - C(x_f) (RSGAN) or, with --rel-avg-gan, of each side against
/// the other side's batch mean (RaSGAN). The reference computes G's relativistic loss and
/// then overwrites it with the standard GAN loss, so its G never trains relativistically;
/// here G minimises the paper's loss (RaSGAN: both terms, real and generated, with the
/// labels swapped). No weight re-initialisation, as the reference.
public final class RelativisticGAN: ZooModel, GANModel {
    public static let info = ModelInfo(name: "relativistic_gan", title: "The relativistic discriminator: a key element missing from standard GAN",
                                       citation: "Jolicoeur-Martineau, 2018, arXiv:1807.00734", architecture: .conv)
    public static var defaults: CommonOptions { CommonOptions(imgSize: 32) }
    public static var options: [OptionSpec] {
        [OptionSpec("rel-avg-gan", .flag, 0, "Relativistic average GAN instead of standard.")]
    }
    public static func validate(_ config: ModelConfig) throws(ConfigError) { try validateConvImageSize(config, model: "relativistic_gan") }

    let netG: ConvGenerator
    let netD: RelativisticDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        noise = parts.stream("noise")
        let dropout = parts.stream("dropout")
        netG = parts.network("generator", ConvGenerator(inputDim: c.latentDim, channels: c.channels, imgSize: c.imgSize, generator: parts.weights))
        netD = parts.network("discriminator", RelativisticDiscriminator(channels: c.channels, imgSize: c.imgSize, generator: parts.weights, dropout: dropout))
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        super.init(parts)
    }

    /// The loss of the side that should look more real (`a`) against the other (`b`).
    func relativisticLoss(more a: Tensor, less b: Tensor) -> Tensor {
        let ones = Tensor.ones(a.shape), zeros = Tensor.zeros(a.shape)
        if config.flag("rel-avg-gan") {
            return (binaryCrossEntropyWithLogits(a - b.mean(dim: 0, keepDim: true), ones)
                + binaryCrossEntropyWithLogits(b - a.mean(dim: 0, keepDim: true), zeros)) / 2
        }
        return binaryCrossEntropyWithLogits(a - b, ones)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images
        let z = Tensor.normal([real.shape[0], latentDim], generator: noise)

        // Generator: generated images should look more real than real ones.
        let generated = netG(z)
        let gLoss = frozen(netD) { () -> Tensor in
            let realPred = netD(real).detach()
            return relativisticLoss(more: netD(generated), less: realPred)
        }
        try optimize(optimizerG, gLoss)

        // Discriminator: real images should look more real than generated ones.
        let realPred = netD(real), fakePred = netD(generated.detach())
        let dLoss = relativisticLoss(more: realPred, less: fakePred)
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item())]
    }
}
