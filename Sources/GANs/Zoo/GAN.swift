// Generative Adversarial Networks — Goodfellow et al., 2014, arXiv:1406.2661
import Autograd
import NN

/// An MLP generator and a sigmoid MLP discriminator (Blocks/MLPNetworks.swift) trained with
/// binary cross-entropy, G first, as the reference.
public final class GAN: MLPAdversaries, GANModel {
    public static let info = ModelInfo(name: "gan", title: "Generative Adversarial Networks",
                                       citation: "Goodfellow et al., 2014, arXiv:1406.2661", architecture: .mlp)
    public static var defaults: CommonOptions { CommonOptions() }


    public init(config: ModelConfig, seed: UInt64) { super.init(ModelParts(config: config, seed: seed), sigmoid: true) }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images, n = real.shape[0]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])

        // Generator: make D call generated images real.
        let z = Tensor.normal([n, latentDim], generator: noise)
        let generated = netG(z)
        let gLoss = frozen(netD) { binaryCrossEntropy(netD(generated), valid) }
        try optimize(optimizerG, gLoss)

        // Discriminator: real images real, generated ones fake.
        let (dReal, dFake) = scoreBoth(netD, real, generated.detach())
        let dLoss = (binaryCrossEntropy(dReal, valid) + binaryCrossEntropy(dFake, fake)) / 2
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item())]
    }
}
