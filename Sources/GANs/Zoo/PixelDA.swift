// Unsupervised Pixel-Level Domain Adaptation with Generative Adversarial Networks — Bousmalis et al., 2016, arXiv:1612.05424
//
// Data: labelled MNIST digits (source) and unlabelled MNIST-M images (target), drawn independently, both resized to 32 px bilinear and normalised to [-1, 1], as the reference's two zipped loaders.
// Differs from the reference (pixelda.py): its classifier ends in Softmax and feeds CrossEntropyLoss, which applies its own log-softmax (a double softmax); the task loss here is on the logits, as the paper.
// `translate` (pictures, `gan sample --input`) draws its noise from a fixed seed, so an output depends only on its input and the weights.
import Autograd
import NN

/// The reference's stride-2 3x3 conv blocks of D and the classifier: conv, LeakyReLU(0.2),
/// then an instance norm (after the activation, and not on the first block), 64 -> 512
/// channels.
func pixelDADownsamplingBlocks(channels: Int, generator rng: RandomGenerator) -> [Module] {
    var layers: [Module] = []
    for (i, (inC, outC)) in [(channels, 64), (64, 128), (128, 256), (256, 512)].enumerated() {
        layers += [Conv2d(inC, outC, kernelSize: 3, stride: 2, padding: 1, generator: rng), LeakyReLU(0.2)]
        if i > 0 { layers.append(InstanceNorm2d(outC)) }
    }
    return layers
}

/// G(x, z): z -> Linear -> an image-shaped map concatenated with the source image, conv to
/// 64, residual blocks (zero padding, batch norm), conv to the image channels and tanh.
public final class PixelDAGenerator: Module {
    let fc: Linear
    let l1: Sequential
    let resblocks: Sequential
    let l2: Sequential

    init(latentDim: Int, channels: Int, imgSize: Int, residualBlocks: Int, generator rng: RandomGenerator) {
        fc = Linear(latentDim, channels * imgSize * imgSize, generator: rng)
        l1 = Sequential(Conv2d(channels * 2, 64, kernelSize: 3, stride: 1, padding: 1, generator: rng), ReLU())
        resblocks = Sequential((0..<residualBlocks).map { _ in ResidualBlock.pixelda(64, generator: rng) as Module })
        l2 = Sequential(Conv2d(64, channels, kernelSize: 3, stride: 1, padding: 1, generator: rng), Tanh())
        super.init()
    }

    /// Source images [N, C, S, S] and noise [N, latent] -> translated images [N, C, S, S].
    public func callAsFunction(_ image: Tensor, _ z: Tensor) -> Tensor {
        let noiseMap = fc(z).reshape(image.shape)
        return l2(resblocks(l1(Tensor.concat([image, noiseMap], dim: 1))))
    }
}

/// D: the downsampling blocks, then a 3x3 conv to one score per patch (size / 16).
public final class PixelDADiscriminator: Module {
    let model: Sequential

    init(channels: Int, generator rng: RandomGenerator) {
        model = Sequential(pixelDADownsamplingBlocks(channels: channels, generator: rng) + [Conv2d(512, 1, kernelSize: 3, stride: 1, padding: 1, generator: rng)])
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor { model(input) }
}

/// The task classifier: the same blocks, flattened, a linear layer to class logits.
public final class PixelDAClassifier: Module {
    let model: Sequential
    let outputLayer: Sequential

    init(channels: Int, imgSize: Int, classes: Int, generator rng: RandomGenerator) {
        model = Sequential(pixelDADownsamplingBlocks(channels: channels, generator: rng))
        let side = imgSize / 16
        outputLayer = Sequential(Linear(512 * side * side, classes, generator: rng))
        super.init()
    }

    /// Class logits [N, classes].
    override public func forward(_ input: Tensor) -> Tensor { outputLayer(model(input).flatten()) }
}

/// G translates labelled source images (with U(-1, 1) noise) to look like the target domain;
/// D tells real target images from translated ones (LSGAN, 0.5 (real + fake)); the classifier
/// learns the source labels on both the translated and the original source images. G and the
/// classifier share one Adam: lambda_adv LSGAN(D(G(x, z))) + lambda_task mean of the two
/// cross-entropies.
public final class PixelDA: ZooModel, GANModel {
    public static let info = ModelInfo(
        name: "pixelda", title: "Unsupervised Pixel-Level Domain Adaptation with Generative Adversarial Networks",
        citation: "Bousmalis et al., 2016, arXiv:1612.05424",
        data: DataRequirement(.domains, dataset: "mnistm", fit: .stretch, resizeFilter: .bilinear),
        architecture: .conv, output: .translation)

    public static var defaults: CommonOptions { CommonOptions(latentDim: 10, imgSize: 32, channels: 3, sampleInterval: 300) }

    public static var options: [OptionSpec] {
        [OptionSpec("n-residual-blocks", .int, 6, "Residual blocks in the generator."),
         OptionSpec("n-classes", .int, 10, "Number of classes of the task."),
         OptionSpec("lambda-adv", .float, 1, "Weight of the adversarial loss in the generator's loss."),
         OptionSpec("lambda-task", .float, 0.1, "Weight of the task (classification) loss in the generator's loss."),
         OptionSpec("source-only", .flag, 0, "Train only the task classifier, on the source images (the paper's source-only baseline; G and D stay untrained).")]
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let s = config.common.imgSize
        guard s % 16 == 0, s >= 32 else {
            throw ConfigError("pixelda needs an image size that is a multiple of 16 and at least 32 (its discriminator and classifier halve the image 4 times and instance-normalise what is left, which needs 2x2 pixels); got \(s)")
        }
        guard config.int("n-residual-blocks") >= 0 else { throw ConfigError("--n-residual-blocks must not be negative, got \(config.int("n-residual-blocks"))") }
        try validateClassCount(config, minimum: 2)
        for name in ["lambda-adv", "lambda-task"] {
            let v = config.float(name)
            guard v >= 0, v.isFinite else { throw ConfigError("--\(name) must not be negative, got \(v)") }
        }
    }

    public let netG: PixelDAGenerator
    public let netD: PixelDADiscriminator
    public let classifier: PixelDAClassifier
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator
    let lambdaAdv: Float
    let lambdaTask: Float
    let sourceOnly: Bool

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common, w = parts.weights
        noise = parts.stream("noise")
        netG = parts.network("generator", PixelDAGenerator(latentDim: c.latentDim, channels: c.channels, imgSize: c.imgSize,
                                                            residualBlocks: config.int("n-residual-blocks"), generator: w))
        netD = parts.network("discriminator", PixelDADiscriminator(channels: c.channels, generator: w))
        classifier = parts.network("classifier", PixelDAClassifier(channels: c.channels, imgSize: c.imgSize,
                                                                   classes: config.int("n-classes"), generator: w))
        // Conv weights N(0, 0.02), batch norms N(1, 0.02) and 0; linear layers keep PyTorch's default.
        initializeDCGANWeights(netG, netD, classifier, generator: w)
        optimizerG = parts.adam("optimizer_G", netG, classifier)
        optimizerD = parts.adam("optimizer_D", netD)
        lambdaAdv = config.float("lambda-adv")
        lambdaTask = config.float("lambda-task")
        sourceOnly = config.flag("source-only")
        super.init(parts)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        if sourceOnly {
            let logits = classifier(batch.images)
            let task = crossEntropy(logits, targets: batch.labels)
            try optimize(optimizerG, task)   // G gets no gradient, so Adam leaves it alone
            return [("task", task.item()), ("clf_acc", Self.accuracy(logits, batch.labels))]
        }
        return try trainStep(batch, noise: Tensor.uniform([batch.count, latentDim], low: -1, high: 1, generator: noise))
    }

    /// The share of rows whose largest logit is their label.
    static func accuracy(_ logits: Tensor, _ labels: [Int]) -> Float {
        Float(zip(logits.argmax(dim: 1), labels).filter { $0 == $1 }.count) / Float(labels.count)
    }

    /// The iteration with the generator's noise z [N, latent] given.
    func trainStep(_ batch: TrainingBatch, noise z: Tensor) throws -> Losses {
        let (source, target) = batch.pair, labels = batch.labels

        // G and the classifier. The classifier holds no batch statistics, so translated and
        // source images go through it as one batch.
        let translated = netG(source, z)
        let (onTranslated, onSource) = scoreBoth(classifier, translated, source)
        let task = (crossEntropy(onTranslated, targets: labels) + crossEntropy(onSource, targets: labels)) / 2
        let adversarial = frozen(netD) {
            let score = netD(translated)
            return mseLoss(score, Tensor.ones(score.shape))
        }
        let gLoss = lambdaAdv * adversarial + lambdaTask * task
        try optimize(optimizerG, gLoss)

        // D: real target images against the translated ones.
        let (onReal, onFake) = scoreBoth(netD, target, translated.detach())
        let dLoss = (mseLoss(onReal, Tensor.ones(onReal.shape)) + mseLoss(onFake, Tensor.zeros(onFake.shape))) / 2
        try optimize(optimizerD, dLoss)

        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item()), ("adv", adversarial.item()), ("task", task.item()),
                ("clf_acc", Self.accuracy(onTranslated, labels))]
    }

    /// The noise of `translate`: a fixed seed, so an input's output depends only on the weights.
    static let translationNoiseSeed: UInt64 = 0x5A17

    /// G(inputs, z): source images [N, C, S, S] in [-1, 1] to the target domain, z ~ U(-1, 1)
    /// from a fixed seed, in the networks' current mode (`translateForOutput`: eval mode).
    public func translate(_ inputs: Tensor) throws(ConfigError) -> Tensor {
        try checkTranslationInput(inputs, model: Self.info.name, shape: config.imageShape)
        let z = Tensor.uniform([inputs.shape[0], latentDim], low: -1, high: 1, generator: RandomGenerator(seed: Self.translationNoiseSeed))
        return netG(inputs, z)
    }

    /// The task classifier's predicted class of each image [N, C, S, S] (eval mode, no graph).
    public func classify(_ images: Tensor) -> [Int] {
        inEvaluationMode([classifier]) { classifier(images).argmax(dim: 1) }
    }

    public var progressExamples: Int { 5 }

    /// The reference's picture: per example, the source image, its translation and a target
    /// image stacked vertically, 5 examples in a row.
    public func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int) {
        let c = config.common
        guard let examples else { return (Tensor.zeros([1, c.channels, 3 * c.imgSize, c.imgSize]), 5) }
        let (source, target) = examples.pair
        let translated = (try? translateForOutput(source)) ?? Tensor.zeros(source.shape)
        return (Tensor.concat([source, translated, target], dim: 2), 5)
    }
}
