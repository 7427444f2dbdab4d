// Adversarial Feature Learning (BiGAN) — Donahue et al., 2016, arXiv:1605.09782
// Reference: Keras-GAN's bigan (layers, sizes, optimiser). Differs from it: encoder and
// generator are trained jointly against D as in the paper (Keras-GAN's encoder never trains
// directly, its issues #58, #243), and D takes one step on the whole batch per iteration
// (Keras-GAN: two steps, on 16 real then 16 generated pairs).
import Autograd
import NN

/// Keras's Dense initialisation: Glorot-uniform weights, zero biases.
private func kerasDense(_ inFeatures: Int, _ outFeatures: Int, _ rng: RandomGenerator) -> Linear {
    let layer = Linear(inFeatures, outFeatures, generator: rng)
    Init.xavierUniform(layer.weight, generator: rng)
    if let b = layer.bias { Init.zeros(b) }
    return layer
}

/// Keras's BatchNormalization(momentum=0.8): eps 1e-3, running averages keep 0.8 of the old
/// value (PyTorch momentum 0.2).
private func kerasBatchNorm(_ features: Int) -> BatchNorm1d { BatchNorm1d(features, 0.001, momentum: 0.2) }

/// Image -> 512 -> 512 -> latent code, LeakyReLU(0.2) then batch norm after each hidden layer.
final class BiGANEncoder: Module {
    let model: Sequential

    init(imageShape: [Int], latentDim: Int, generator rng: RandomGenerator) {
        model = Sequential(
            kerasDense(imageShape.reduce(1, *), 512, rng), LeakyReLU(0.2), kerasBatchNorm(512),
            kerasDense(512, 512, rng), LeakyReLU(0.2), kerasBatchNorm(512),
            kerasDense(512, latentDim, rng))
        super.init()
    }

    override func forward(_ image: Tensor) -> Tensor { model(image.flatten()) }
}

/// Latent code -> 512 -> 512 -> image (tanh), LeakyReLU(0.2) then batch norm after each
/// hidden layer.
final class BiGANGenerator: Module {
    let model: Sequential
    let imageShape: [Int]

    init(latentDim: Int, imageShape: [Int], generator rng: RandomGenerator) {
        model = Sequential(
            kerasDense(latentDim, 512, rng), LeakyReLU(0.2), kerasBatchNorm(512),
            kerasDense(512, 512, rng), LeakyReLU(0.2), kerasBatchNorm(512),
            kerasDense(512, imageShape.reduce(1, *), rng), Tanh())
        self.imageShape = imageShape
        super.init()
    }

    override func forward(_ z: Tensor) -> Tensor { model(z).reshape([z.shape[0]] + imageShape) }
}

/// [code, image] -> 1024 -> 1024 -> 1024 -> 1, each hidden layer with LeakyReLU(0.2) and
/// Dropout(0.5): the probability that a pair is (x, E(x)) rather than (G(z), z).
final class BiGANDiscriminator: Module {
    let model: Sequential

    init(latentDim: Int, imageShape: [Int], generator rng: RandomGenerator, dropout: RandomGenerator) {
        model = Sequential(
            kerasDense(latentDim + imageShape.reduce(1, *), 1024, rng), LeakyReLU(0.2), Dropout(0.5, generator: dropout),
            kerasDense(1024, 1024, rng), LeakyReLU(0.2), Dropout(0.5, generator: dropout),
            kerasDense(1024, 1024, rng), LeakyReLU(0.2), Dropout(0.5, generator: dropout),
            kerasDense(1024, 1, rng), Sigmoid())
        super.init()
    }

    func callAsFunction(_ z: Tensor, _ image: Tensor) -> Tensor {
        model(Tensor.concat([z, image.flatten()], dim: 1))
    }
}

/// An encoder E and a generator G against a discriminator of (image, code) pairs: (x, E(x))
/// real, (G(z), z) fake; E and G learn together with the labels swapped.
public final class BiGAN: ZooModel, GANModel {
    public static let info = ModelInfo(name: "bigan", title: "Adversarial Feature Learning",
                                       citation: "Donahue et al., 2016, arXiv:1605.09782", architecture: .mlp)
    /// Keras-GAN's: Adam(0.0002, 0.5), batch size 32, 28x28 images, 100-dimensional codes.
    public static var defaults: CommonOptions { CommonOptions(batchSize: 32) }

    let encoder: BiGANEncoder
    let netG: BiGANGenerator
    let netD: BiGANDiscriminator
    let optimizerD: Adam
    let optimizerGE: Adam
    let noise: RandomGenerator

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        noise = parts.stream("noise")
        let dropout = parts.stream("dropout")
        encoder = parts.network("encoder", BiGANEncoder(imageShape: config.imageShape, latentDim: c.latentDim, generator: parts.weights))
        netG = parts.network("generator", BiGANGenerator(latentDim: c.latentDim, imageShape: config.imageShape, generator: parts.weights))
        netD = parts.network("discriminator", BiGANDiscriminator(latentDim: c.latentDim, imageShape: config.imageShape, generator: parts.weights,
                                                                 dropout: dropout))
        optimizerD = parts.adam("optimizer_D", netD)
        optimizerGE = parts.adam("optimizer_GE", netG, encoder)
        super.init(parts)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images, n = real.shape[0]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])
        let z = Tensor.normal([n, latentDim], generator: noise)
        let generated = netG(z)
        let encoded = encoder(real)

        // Discriminator first (as the reference): (x, E(x)) real, (G(z), z) fake.
        let dRealLoss = binaryCrossEntropy(netD(encoded.detach(), real), valid)
        let dFakeLoss = binaryCrossEntropy(netD(z, generated.detach()), fake)
        let dLoss = 0.5 * (dRealLoss + dFakeLoss)
        try optimize(optimizerD, dLoss)

        // Encoder and generator together, with the labels swapped.
        let geLoss = frozen(netD) {
            binaryCrossEntropy(netD(z, generated), valid) + binaryCrossEntropy(netD(encoded, real), fake)
        }
        try optimize(optimizerGE, geLoss)
        return [("d_loss", dLoss.item()), ("g_loss", geLoss.item())]
    }
}
