// Energy-based Generative Adversarial Network — Zhao et al., 2016, arXiv:1609.03126
import Autograd
import NN

/// The discriminator is an autoencoder whose reconstruction error is the energy: a stride-2
/// conv to 64 x (size/2)^2, a 32-unit embedding, batch norm (eps 0.8 as the reference's
/// BatchNorm1d(32, 0.8); the paper intends the default eps), back up, nearest upsampling
/// and a conv to an image.
final class EBGANDiscriminator: Module {
    let down: Sequential
    let embedding: Linear
    let fc: Sequential
    let up: Sequential
    let downSize: Int

    init(channels: Int, imgSize: Int, generator rng: RandomGenerator) {
        downSize = imgSize / 2
        let downDim = 64 * downSize * downSize
        down = Sequential(Conv2d(channels, 64, kernelSize: 3, stride: 2, padding: 1, generator: rng), ReLU())
        embedding = Linear(downDim, 32, generator: rng)
        fc = Sequential(BatchNorm1d(32, 0.8), ReLU(), Linear(32, downDim, generator: rng), BatchNorm1d(downDim), ReLU())
        up = Sequential(Upsample(scaleFactor: 2), Conv2d(64, channels, kernelSize: 3, stride: 1, padding: 1, generator: rng))
        super.init()
    }

    /// The reconstruction and the embedding.
    func callAsFunction(_ image: Tensor) -> (reconstruction: Tensor, embedding: Tensor) {
        let e = embedding(down(image).flatten())
        let n = image.shape[0]
        return (up(fc(e).reshape([n, 64, downSize, downSize])), e)
    }

    override func forward(_ image: Tensor) -> Tensor { self(image).reconstruction }
}

/// lsgan's generator (latent 62) against the autoencoder: D minimises MSE(x) + max(0, m -
/// MSE(G(z))), G minimises MSE(G(z)) (target detached, as the reference, its issue #18) plus
/// 0.1 times the pulling-away term, with margin m = max(1, batch_size / 64). The pulling-
/// away term squares the cosine similarities of the embeddings, as the paper's f_PT; the
/// reference sums them unsquared, so opposite embeddings would cancel.
public final class EBGAN: ZooModel, GANModel {
    public static let info = ModelInfo(name: "ebgan", title: "Energy-based Generative Adversarial Network",
                                       citation: "Zhao et al., 2016, arXiv:1609.03126", architecture: .conv)
    public static var defaults: CommonOptions { CommonOptions(latentDim: 62, imgSize: 32) }
    public static func validate(_ config: ModelConfig) throws(ConfigError) { try validateAutoencoderImageSize(config, model: "ebgan") }

    /// The reference's weight of the pulling-away term.
    static let lambdaPT: Float = 0.1

    let netG: ConvGenerator
    let netD: EBGANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        noise = parts.stream("noise")
        netG = parts.network("generator", ConvGenerator(inputDim: c.latentDim, channels: c.channels, imgSize: c.imgSize,
                                                        leadingBatchNorm: false, generator: parts.weights))
        netD = parts.network("discriminator", EBGANDiscriminator(channels: c.channels, imgSize: c.imgSize, generator: parts.weights))
        initializeDCGANWeights(netG, netD, generator: parts.weights)
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        super.init(parts)
    }

    /// f_PT = sum over pairs i != j of cos^2(e_i, e_j), divided by N(N - 1).
    func pullingAway(_ e: Tensor) -> Tensor {
        let n = e.shape[0]
        guard n > 1 else { return Tensor(0) }
        let s = e / e.norm(dims: [1], keepDim: true)
        let similarity = Tensor.matmul(s, s, transB: true)
        return (similarity.square().sum() - Float(n)) / Float(n * (n - 1))
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images
        let z = Tensor.normal([real.shape[0], latentDim], generator: noise)
        let margin = Swift.max(1, Float(config.common.batchSize) / 64)

        // Generator: low energy for generated images, embeddings pulled apart.
        let generated = netG(z)
        let fake = generated.detach()
        let gLoss = frozen(netD) { () -> Tensor in
            let (reconstruction, embedding) = netD(generated)
            return mseLoss(reconstruction, fake) + Self.lambdaPT * pullingAway(embedding)
        }
        try optimize(optimizerG, gLoss)

        // Discriminator: low energy for real images, at least the margin for generated ones.
        let dLossReal = mseLoss(netD(real).reconstruction, real)
        let dLossFake = mseLoss(netD(fake).reconstruction, fake)
        let dLoss = margin - dLossFake.item() > 0 ? dLossReal + (margin - dLossFake) : dLossReal
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item())]
    }
}
