// Adversarial Autoencoders — Makhzani et al., 2015, arXiv:1511.05644
import Autograd
import NN

/// Image -> 512 -> 512 (batch norm) with LeakyReLU(0.2), then a mean and a log-variance;
/// the code is drawn from N(mu, exp(logvar)) by reparameterisation.
final class AAEEncoder: Module {
    let model: Sequential
    let mu: Linear
    let logvar: Linear
    let noise: RandomGenerator

    init(imageShape: [Int], latentDim: Int, generator rng: RandomGenerator, noise: RandomGenerator) {
        model = Sequential(
            Linear(imageShape.reduce(1, *), 512, generator: rng), LeakyReLU(0.2),
            Linear(512, 512, generator: rng), BatchNorm1d(512), LeakyReLU(0.2))
        mu = Linear(512, latentDim, generator: rng)
        logvar = Linear(512, latentDim, generator: rng)
        self.noise = noise
        super.init()
    }

    override func forward(_ image: Tensor) -> Tensor {
        let x = model(image.flatten())
        let mean = mu(x)
        let std = (logvar(x) / 2).exp()
        return Tensor.normal(mean.shape, generator: noise) * std + mean
    }
}

/// Code -> 512 -> 512 (batch norm) with LeakyReLU(0.2) -> image (tanh).
final class AAEDecoder: Module {
    let model: Sequential
    let imageShape: [Int]

    init(latentDim: Int, imageShape: [Int], generator rng: RandomGenerator) {
        model = Sequential(
            Linear(latentDim, 512, generator: rng), LeakyReLU(0.2),
            Linear(512, 512, generator: rng), BatchNorm1d(512), LeakyReLU(0.2),
            Linear(512, imageShape.reduce(1, *), generator: rng), Tanh())
        self.imageShape = imageShape
        super.init()
    }

    override func forward(_ z: Tensor) -> Tensor { model(z).reshape([z.shape[0]] + imageShape) }
}

/// Code -> 512 -> 256 -> 1 with LeakyReLU(0.2): the probability that a code was drawn from
/// the prior N(0, I) rather than produced by the encoder.
final class AAEDiscriminator: Module {
    let model: Sequential

    init(latentDim: Int, generator rng: RandomGenerator) {
        model = Sequential(
            Linear(latentDim, 512, generator: rng), LeakyReLU(0.2),
            Linear(512, 256, generator: rng), LeakyReLU(0.2),
            Linear(256, 1, generator: rng), Sigmoid())
        super.init()
    }

    override func forward(_ z: Tensor) -> Tensor { model(z) }
}

/// An encoder-decoder whose codes a discriminator cannot tell from draws of the prior
/// N(0, I); the decoder is the generator (`gan sample` decodes draws of the prior).
public final class AAE: ZooModel, GANModel {
    public static let info = ModelInfo(name: "aae", title: "Adversarial Autoencoders",
                                       citation: "Makhzani et al., 2015, arXiv:1511.05644", architecture: .mlp)
    public static var defaults: CommonOptions { CommonOptions(latentDim: 10, imgSize: 32) }

    /// The reference's weights of the adversarial and the L1 reconstruction terms.
    static let adversarialWeight: Float = 0.001, reconstructionWeight: Float = 0.999

    let encoder: AAEEncoder
    let decoder: AAEDecoder
    let netD: AAEDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        noise = parts.stream("noise")
        encoder = parts.network("encoder", AAEEncoder(imageShape: config.imageShape, latentDim: c.latentDim, generator: parts.weights, noise: noise))
        decoder = parts.network("decoder", AAEDecoder(latentDim: c.latentDim, imageShape: config.imageShape, generator: parts.weights), samples: true)
        netD = parts.network("discriminator", AAEDiscriminator(latentDim: c.latentDim, generator: parts.weights))
        optimizerG = parts.adam("optimizer_G", encoder, decoder)
        optimizerD = parts.adam("optimizer_D", netD)
        super.init(parts)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images, n = real.shape[0]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])

        // Autoencoder: reconstruct the images, with codes D takes for draws from the prior.
        let encoded = encoder(real)
        let decoded = decoder(encoded)
        let gLoss = frozen(netD) {
            Self.adversarialWeight * binaryCrossEntropy(netD(encoded), valid) + Self.reconstructionWeight * l1Loss(decoded, real)
        }
        try optimize(optimizerG, gLoss)

        // Discriminator: draws from the prior real, the encoder's codes fake.
        let z = Tensor.normal([n, latentDim], generator: noise)
        let (dPrior, dEncoded) = scoreBoth(netD, z, encoded.detach())
        let realLoss = binaryCrossEntropy(dPrior, valid)
        let fakeLoss = binaryCrossEntropy(dEncoded, fake)
        let dLoss = 0.5 * (realLoss + fakeLoss)
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item())]
    }

    /// A 10x10 grid, as the reference's sample_image.
    public func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int) { fixedNoiseGrid(count: 100, rows: 10) }
}
