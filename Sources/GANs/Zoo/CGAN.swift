// Conditional Generative Adversarial Nets — Mirza & Osindero, 2014, arXiv:1411.1784
import Autograd
import NN

/// [label embedding, noise] -> 128 -> 256 -> 512 -> 1024 -> image, each hidden layer but the
/// first with batch norm (eps 0.8 as the reference's positional BatchNorm1d(n, 0.8); the
/// paper intends the default eps) and LeakyReLU(0.2); tanh output.
final class CGANGenerator: Module {
    let labelEmb: Embedding
    let model: Sequential
    let imageShape: [Int]

    init(latentDim: Int, classes: Int, imageShape: [Int], generator rng: RandomGenerator) {
        labelEmb = Embedding(classes, classes, generator: rng)
        model = Sequential(mlpGeneratorLayers(inputDim: latentDim + classes, imageShape: imageShape, rng))
        self.imageShape = imageShape
        super.init()
    }

    func callAsFunction(_ noise: Tensor, _ labels: [Int]) -> Tensor {
        let input = Tensor.concat([labelEmb(labels), noise], dim: 1)
        return model(input).reshape([noise.shape[0]] + imageShape)
    }
}

/// [image, label embedding] -> 512 -> 512 -> 512 -> 1 with LeakyReLU(0.2) and Dropout(0.4)
/// on the two inner layers; a raw score (least-squares loss, as the reference).
final class CGANDiscriminator: Module {
    let labelEmbedding: Embedding
    let model: Sequential

    init(classes: Int, imageShape: [Int], generator rng: RandomGenerator, dropout: RandomGenerator) {
        labelEmbedding = Embedding(classes, classes, generator: rng)
        model = Sequential(
            Linear(classes + imageShape.reduce(1, *), 512, generator: rng), LeakyReLU(0.2),
            Linear(512, 512, generator: rng), Dropout(0.4, generator: dropout), LeakyReLU(0.2),
            Linear(512, 512, generator: rng), Dropout(0.4, generator: dropout), LeakyReLU(0.2),
            Linear(512, 1, generator: rng))
        super.init()
    }

    func callAsFunction(_ image: Tensor, _ labels: [Int]) -> Tensor {
        model(Tensor.concat([image.flatten(), labelEmbedding(labels)], dim: 1))
    }
}

public final class CGAN: ZooModel, GANModel {
    public static let info = ModelInfo(name: "cgan", title: "Conditional Generative Adversarial Nets",
                                       citation: "Mirza & Osindero, 2014, arXiv:1411.1784", data: .mnist(labelled: true),
                                       conditional: true, architecture: .mlp)
    public static var defaults: CommonOptions { CommonOptions(imgSize: 32) }
    public static var options: [OptionSpec] { [OptionSpec("n-classes", .int, 10, "Number of classes for the dataset.")] }
    public static func validate(_ config: ModelConfig) throws(ConfigError) { try validateClassCount(config, minimum: 1) }

    let classes: Int
    let netG: CGANGenerator
    let netD: CGANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed)
        classes = config.int("n-classes")
        noise = parts.stream("noise")
        let dropout = parts.stream("dropout")
        netG = parts.network("generator", CGANGenerator(latentDim: config.common.latentDim, classes: classes, imageShape: config.imageShape,
                                                        generator: parts.weights))
        netD = parts.network("discriminator", CGANDiscriminator(classes: classes, imageShape: config.imageShape, generator: parts.weights,
                                                                dropout: dropout))
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        super.init(parts)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images, labels = batch.labels, n = real.shape[0]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])

        // Generator: images of random classes that D scores as real for those classes.
        let z = Tensor.normal([n, latentDim], generator: noise)
        let genLabels = (0..<n).map { _ in noise.nextInt(below: classes) }
        let generated = netG(z, genLabels)
        let gLoss = frozen(netD) { mseLoss(netD(generated, genLabels), valid) }
        try optimize(optimizerG, gLoss)

        // Discriminator: real (image, label) pairs real, generated ones fake.
        let realLoss = mseLoss(netD(real, labels), valid)
        let fakeLoss = mseLoss(netD(generated.detach(), genLabels), fake)
        let dLoss = (realLoss + fakeLoss) / 2
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item())]
    }

    public func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor {
        let z = try latentVectors(count, given: latent, generator: rng)
        return netG(z, try checkedLabels(labels, count: count, classes: classes, generator: rng))
    }
}
