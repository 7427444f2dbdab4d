// Boundary-Seeking GANs — Hjelm et al., 2017, arXiv:1702.08431
import Autograd
import NN

/// gan's networks and update order; the generator seeks the discriminator's decision
/// boundary, minimising 0.5 * E[(log D(G(z)) - log(1 - D(G(z))))^2]. The reference reads an
/// undefined `mnist_loader` and does not run as published; this trains on the MNIST loader.
public final class BGAN: GANModel {
    public static let info = ModelInfo(name: "bgan", title: "Boundary-Seeking Generative Adversarial Networks",
                                       citation: "Hjelm et al., 2017, arXiv:1702.08431", architecture: .mlp)
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

        // Generator: boundary-seeking loss, the squared log-odds of D on generated images.
        let z = Tensor.normal([n, latentDim], generator: noise)
        let generated = netG(z)
        let gLoss = frozen(dParameters) { () -> Tensor in
            let p = netD(generated)
            return 0.5 * (p.log() - (1 - p).log()).square().mean()
        }
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
