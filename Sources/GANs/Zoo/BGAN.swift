// Boundary-Seeking GANs — Hjelm et al., 2017, arXiv:1702.08431
import Autograd
import NN

/// gan's networks and update order; the generator seeks the discriminator's decision
/// boundary, minimising 0.5 * E[(log D(G(z)) - log(1 - D(G(z))))^2]. The reference reads an
/// undefined `mnist_loader` and does not run as published; this trains on the MNIST loader.
public final class BGAN: MLPAdversaries, GANModel {
    public static let info = ModelInfo(name: "bgan", title: "Boundary-Seeking Generative Adversarial Networks",
                                       citation: "Hjelm et al., 2017, arXiv:1702.08431", architecture: .mlp)
    public static var defaults: CommonOptions { CommonOptions() }


    public init(config: ModelConfig, seed: UInt64) { super.init(ModelParts(config: config, seed: seed), sigmoid: true) }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images, n = real.shape[0]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])

        // Generator: boundary-seeking loss, the squared log-odds of D on generated images.
        let z = Tensor.normal([n, latentDim], generator: noise)
        let generated = netG(z)
        let gLoss = frozen(netD) { () -> Tensor in
            let p = netD(generated)
            return 0.5 * (p.log() - (1 - p).log()).square().mean()
        }
        try optimize(optimizerG, gLoss)

        // Discriminator: real images real, generated ones fake.
        let (dReal, dFake) = scoreBoth(netD, real, generated.detach())
        let dLoss = (binaryCrossEntropy(dReal, valid) + binaryCrossEntropy(dFake, fake)) / 2
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item())]
    }
}
