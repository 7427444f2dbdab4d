// Softmax GAN — Lin, 2017, arXiv:1704.06191
import Autograd
import NN

/// gan's generator and wgan's critic (an energy: low for real). With Z the sum of exp(-D)
/// over the real and generated batch, D minimises mean_real D + log Z (the softmax puts all
/// mass on real images) and G minimises mean_all D + log Z (a uniform softmax).
/// The reference steps D, then back-propagates G's loss through the same graph, which
/// recent PyTorch refuses (in-place error) and which also gave G the gradient of D's loss;
/// here D steps on its loss with the generated images detached, then G steps on its own
/// loss through the updated D, the paper's alternating updates.
public final class SoftmaxGAN: MLPAdversaries, GANModel {
    public static let info = ModelInfo(name: "softmax_gan", title: "Softmax GAN",
                                       citation: "Lin, 2017, arXiv:1704.06191", architecture: .mlp)
    public static var defaults: CommonOptions { CommonOptions() }


    public init(config: ModelConfig, seed: UInt64) { super.init(ModelParts(config: config, seed: seed), sigmoid: false) }

    /// log Z, the log partition function of the batch (1e-8 inside the log, as the reference).
    func logPartition(_ dReal: Tensor, _ dFake: Tensor) -> Tensor {
        ((-dReal).exp().sum() + (-dFake).exp().sum() + 1e-8).log()
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images, n = Float(real.shape[0])
        let z = Tensor.normal([real.shape[0], latentDim], generator: noise)
        let generated = netG(z)

        // Discriminator: target 1/|B+| on each real image, 0 on generated ones.
        let (dReal, dFake) = scoreBoth(netD, real, generated.detach())
        let dLoss = dReal.sum() / n + logPartition(dReal, dFake)
        try optimize(optimizerD, dLoss)

        // Generator: target 1/|B| on every image of the batch.
        // D's rows are independent, so the real half runs without a graph: back-propagating
        // through it would only produce gradients that are thrown away.
        let gLoss = frozen(netD) { () -> Tensor in
            let dReal = withoutGrad { netD(real) }, dFake = netD(generated)
            return (dReal.sum() + dFake.sum()) / (2 * n) + logPartition(dReal, dFake)
        }
        try optimize(optimizerG, gLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item())]
    }
}
