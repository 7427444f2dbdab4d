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
        let ds = imgSize / 16
        advLayer = Sequential(Linear(128 * ds * ds, 1, generator: rng))
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
public final class RelativisticGAN: GANModel {
    public static let info = ModelInfo(name: "relativistic_gan", title: "The relativistic discriminator: a key element missing from standard GAN",
                                       citation: "Jolicoeur-Martineau, 2018, arXiv:1807.00734", architecture: .conv)
    public static var defaults: CommonOptions { var c = CommonOptions(); c.imgSize = 32; return c }
    public static var options: [OptionSpec] {
        [OptionSpec("rel-avg-gan", .flag, 0, "Relativistic average GAN instead of standard.")]
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) { try DCGAN.validate(config) }

    public let config: ModelConfig
    let netG: DCGANGenerator
    let netD: RelativisticDiscriminator
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
        netD = RelativisticDiscriminator(channels: c.channels, imgSize: c.imgSize, generator: initRng, dropout: dropout)
        optimizerG = adam(netG, c)
        optimizerD = adam(netD, c)
        noise = RandomGenerator(seed: seed &+ 2)
        dParameters = netD.parameters()
    }

    public var generator: Module { netG }
    public var networks: [(name: String, module: Module)] { [("generator", netG), ("discriminator", netD)] }
    public var optimizers: [(name: String, optimizer: Optimizer)] { [("optimizer_G", optimizerG), ("optimizer_D", optimizerD)] }
    public var randomStreams: [(name: String, generator: RandomGenerator)] { [("noise", noise), ("dropout", dropout)] }

    /// The loss of the side that should look more real (`a`) against the other (`b`).
    func relativisticLoss(more a: Tensor, less b: Tensor) -> Tensor {
        let ones = Tensor.ones(a.shape), zeros = Tensor.zeros(a.shape)
        if config.flag("rel-avg-gan") {
            return (binaryCrossEntropyWithLogits(a - b.mean(dim: 0, keepDim: true), ones)
                + binaryCrossEntropyWithLogits(b - a.mean(dim: 0, keepDim: true), zeros)) / 2
        }
        return binaryCrossEntropyWithLogits(a - b, ones)
    }

    public func trainStep(images real: Tensor, labels: [Int], batchesDone: Int) throws -> Losses {
        let z = Tensor.normal([real.shape[0], latentDim], generator: noise)

        // Generator: generated images should look more real than real ones.
        let generated = netG(z)
        let gLoss = frozen(dParameters) { () -> Tensor in
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

    public func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor {
        netG(try latentVectors(count, given: latent, generator: rng))
    }
}
