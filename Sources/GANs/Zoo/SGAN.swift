// Semi-Supervised Learning with Generative Adversarial Networks — Odena, 2016, arXiv:1606.01583
// Differs from the reference: its aux_layer ends in Softmax and feeds CrossEntropyLoss, which
// applies its own log-softmax (a double softmax); the loss here is on the logits, as the paper.
import Autograd
import NN

/// dcgan's generator from noise alone (the reference declares a label embedding it never
/// uses; it is kept, frozen, so state dicts match) against acgan's discriminator with one
/// class more, "generated".
public final class SGAN: ZooModel, GANModel {
    public static let info = ModelInfo(name: "sgan", title: "Semi-Supervised Learning with Generative Adversarial Networks",
                                       citation: "Odena, 2016, arXiv:1606.01583", data: .mnist(labelled: true), architecture: .conv)
    public static var defaults: CommonOptions { CommonOptions(imgSize: 32) }
    /// The reference calls it --num_classes.
    public static var options: [OptionSpec] { [OptionSpec("n-classes", .int, 10, "Number of classes for the dataset (the reference's --num_classes).")] }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        try validateConvImageSize(config, model: "sgan")
        try validateClassCount(config, minimum: 1)
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
        netG.freeze { $0.hasPrefix("label_emb.") }
        netD = parts.network("discriminator", AuxiliaryClassifierDiscriminator(classes: classes + 1, channels: c.channels, imgSize: c.imgSize,
                                                                               generator: parts.weights, dropout: dropout))
        initializeDCGANWeights(netG, netD, generator: parts.weights)
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        super.init(parts)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images, labels = batch.labels, n = real.shape[0]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])
        let fakeClass = [Int](repeating: classes, count: n)

        // Generator: make D call generated images real (the class head plays no part).
        let z = Tensor.normal([n, latentDim], generator: noise)
        let generated = netG(z)
        let gLoss = frozen(netD) { binaryCrossEntropy(netD(generated).validity, valid) }
        try optimize(optimizerG, gLoss)

        // Discriminator: real images real and of their class; generated ones fake and of
        // the extra class.
        let (realPred, realAux) = netD(real)
        let dRealLoss = (binaryCrossEntropy(realPred, valid) + crossEntropy(realAux, targets: labels)) / 2
        let (fakePred, fakeAux) = netD(generated.detach())
        let dFakeLoss = (binaryCrossEntropy(fakePred, fake) + crossEntropy(fakeAux, targets: fakeClass)) / 2
        let dLoss = (dRealLoss + dFakeLoss) / 2
        let accuracy = classAccuracy([realAux, fakeAux], labels + fakeClass)
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("d_acc", accuracy), ("g_loss", gLoss.item())]
    }
}
