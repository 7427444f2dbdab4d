// Conditional Image Synthesis with Auxiliary Classifier GANs — Odena et al., 2016, arXiv:1610.09585
// Differs from the reference: its aux_layer ends in Softmax and feeds CrossEntropyLoss, which
// applies its own log-softmax (a double softmax); the loss here is on the logits, as the paper.
import Autograd
import NN

/// The shared downsampling body, then a sigmoid "real" probability (adv_layer) and class
/// logits (aux_layer, a Linear: the reference's Softmax after it has no parameters).
final class AuxiliaryClassifierDiscriminator: Module {
    let convBlocks: Sequential
    let advLayer: Sequential
    let auxLayer: Sequential

    init(classes: Int, channels: Int, imgSize: Int, generator rng: RandomGenerator, dropout: RandomGenerator) {
        convBlocks = downsamplingConvBlocks(channels: channels, generator: rng, dropout: dropout)
        let features = downsampledFeatures(imgSize: imgSize)
        advLayer = Sequential(Linear(features, 1, generator: rng), Sigmoid())
        auxLayer = Sequential(Linear(features, classes, generator: rng))
        super.init()
    }

    /// The probability that each image is real and its class logits.
    func callAsFunction(_ image: Tensor) -> (validity: Tensor, logits: Tensor) {
        let features = convBlocks(image).flatten()
        return (advLayer(features), auxLayer(features))
    }
}

/// Noise times the label's embedding -> dcgan's generator; D says real or generated and
/// which class (also sgan's D, with one class more for "generated").
public final class ACGAN: ZooModel, GANModel {
    public static let info = ModelInfo(name: "acgan", title: "Conditional Image Synthesis with Auxiliary Classifier GANs",
                                       citation: "Odena et al., 2016, arXiv:1610.09585", data: .mnist(labelled: true),
                                       conditional: true, architecture: .conv)
    public static var defaults: CommonOptions { CommonOptions(imgSize: 32) }
    public static var options: [OptionSpec] { [OptionSpec("n-classes", .int, 10, "Number of classes for the dataset.")] }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        try validateConvImageSize(config, model: "acgan")
        try validateClassCount(config, minimum: 2)
    }

    let classes: Int
    let netG: ConvGenerator
    let netD: AuxiliaryClassifierDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        classes = config.int("n-classes")
        noise = parts.stream("noise")
        let dropout = parts.stream("dropout")
        netG = parts.network("generator", ConvGenerator(inputDim: c.latentDim, channels: c.channels, imgSize: c.imgSize,
                                                        labelEmbedding: classes, generator: parts.weights))
        netD = parts.network("discriminator", AuxiliaryClassifierDiscriminator(classes: classes, channels: c.channels, imgSize: c.imgSize,
                                                                               generator: parts.weights, dropout: dropout))
        initializeDCGANWeights(netG, netD, generator: parts.weights)
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        super.init(parts)
    }

    /// G(z * embedding(label)).
    func generate(_ z: Tensor, _ labels: [Int]) -> Tensor { netG(netG.labelEmb!(labels) * z) }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images, labels = batch.labels, n = real.shape[0]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])

        // Generator: D should call its images real and of the class they were drawn for.
        let z = Tensor.normal([n, latentDim], generator: noise)
        let genLabels = (0..<n).map { _ in noise.nextInt(below: classes) }
        let generated = generate(z, genLabels)
        let gLoss = frozen(netD) { () -> Tensor in
            let (validity, logits) = netD(generated)
            return 0.5 * (binaryCrossEntropy(validity, valid) + crossEntropy(logits, targets: genLabels))
        }
        try optimize(optimizerG, gLoss)

        // Discriminator: real or generated, and the class of both.
        let (realPred, realAux) = netD(real)
        let dRealLoss = (binaryCrossEntropy(realPred, valid) + crossEntropy(realAux, targets: labels)) / 2
        let (fakePred, fakeAux) = netD(generated.detach())
        let dFakeLoss = (binaryCrossEntropy(fakePred, fake) + crossEntropy(fakeAux, targets: genLabels)) / 2
        let dLoss = (dRealLoss + dFakeLoss) / 2
        let accuracy = classAccuracy([realAux, fakeAux], labels + genLabels)
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("d_acc", accuracy), ("g_loss", gLoss.item())]
    }

    public func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor {
        let z = try latentVectors(count, given: latent, generator: rng)
        return generate(z, try checkedLabels(labels, count: count, classes: classes, generator: rng))
    }
}

/// The fraction of rows of the logits (taken in turn) whose largest entry is the target.
func classAccuracy(_ logits: [Tensor], _ targets: [Int]) -> Float {
    let predicted = logits.flatMap { $0.argmax(dim: 1) }
    return Float(zip(predicted, targets).filter { $0 == $1 }.count) / Float(targets.count)
}
