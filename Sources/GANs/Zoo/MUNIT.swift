// Multimodal Unsupervised Image-to-Image Translation — Huang et al., 2018, arXiv:1804.04732
//
// As the reference: loss weights GAN 1, image 10, style 1, content 1, cycle 0 (off); the
// content target detached; LayerNorm with the unbiased std; N(0, 0.02) convs.
// Differences from the reference, one line each:
// - Styles are drawn N(0, 1) for pictures and `gan sample` as in training (the reference draws its pictures' from U(-1, 1), off its prior).
// - A and B are drawn independently, as the paper (the reference feeds aligned pairs, though no loss uses the pairing, and also trains on test/).
// - --b-to-a makes B the input domain; `translate` uses the zero style (the prior's mean).
import Autograd
import NN

/// The reference's `ContentEncoder`, `StyleEncoder` and `MLP`: layers in a Sequential `model`
/// (inputs of the MLP flattened to [N, features]).
public final class MUNITSubnetwork: Module {
    let model: Sequential

    init(_ layers: [Module]) {
        model = Sequential(layers)
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor {
        model(model[0] is Linear ? input.reshape([input.shape[0], -1]) : input)
    }
}

/// The reference's `Encoder`: `content_encoder` (7x7 conv, two stride-2 convs, residual
/// blocks, all IN) to [N, 256, H/4, W/4] and `style_encoder` (the same convs without norm,
/// global average pooling, 1x1 conv) to [N, style_dim, 1, 1].
public final class MUNITEncoder: Module {
    let contentEncoder: MUNITSubnetwork
    let styleEncoder: MUNITSubnetwork

    init(inChannels: Int = 3, dim: Int = 64, residualBlocks: Int = 3, downsamplings: Int = 2, styleDim: Int = 8,
         generator rng: RandomGenerator) {
        var layers: [Module] = [ReflectionPad2d(3), Conv2d(inChannels, dim, kernelSize: 7, generator: rng), InstanceNorm2d(dim), ReLU()]
        var c = dim
        for _ in 0..<downsamplings {
            layers += [Conv2d(c, 2 * c, kernelSize: 4, stride: 2, padding: 1, generator: rng), InstanceNorm2d(2 * c), ReLU()]
            c *= 2
        }
        layers += (0..<residualBlocks).map { _ in ResidualBlock.cyclegan(c, generator: rng) }
        contentEncoder = MUNITSubnetwork(layers)

        // As the reference: two channel-doubling downsamplings, then constant-width ones.
        var style: [Module] = [ReflectionPad2d(3), Conv2d(inChannels, dim, kernelSize: 7, generator: rng), ReLU()]
        c = dim
        for k in 0..<max(downsamplings, 2) {
            let out = k < 2 ? 2 * c : c
            style += [Conv2d(c, out, kernelSize: 4, stride: 2, padding: 1, generator: rng), ReLU()]
            c = out
        }
        style += [GlobalAveragePool2d(), Conv2d(c, styleDim, kernelSize: 1, generator: rng)]
        styleEncoder = MUNITSubnetwork(style)
        super.init()
    }

    public func callAsFunction(_ image: Tensor) -> (content: Tensor, style: Tensor) {
        (contentEncoder(image), styleEncoder(image))
    }
}

/// The reference's `Decoder`: residual blocks with AdaIN, nearest upsamplings each with a
/// 5x5 conv, LayerNorm and ReLU, a 7x7 conv to the image and Tanh (`model`); `mlp` maps the
/// style code to every AdaIN's shift then scale, in module order.
public final class MUNITDecoder: Module {
    let model: Sequential
    let mlp: MUNITSubnetwork
    let adaptiveNorms: [AdaptiveInstanceNorm2d]

    init(outChannels: Int = 3, dim: Int = 64, residualBlocks: Int = 3, upsamplings: Int = 2, styleDim: Int = 8,
         generator rng: RandomGenerator) {
        var c = dim << upsamplings
        var layers: [Module] = (0..<residualBlocks).map { _ in ResidualBlock(c, norm: .adaptiveInstance, generator: rng) }
        for _ in 0..<upsamplings {
            layers += [Upsample(scaleFactor: 2), Conv2d(c, c / 2, kernelSize: 5, stride: 1, padding: 2, generator: rng),
                       ImageLayerNorm(c / 2, generator: rng), ReLU()]
            c /= 2
        }
        layers += [ReflectionPad2d(3), Conv2d(c, outChannels, kernelSize: 7, generator: rng), Tanh()]
        model = Sequential(layers)
        adaptiveNorms = model.modules().compactMap { $0 as? AdaptiveInstanceNorm2d }
        let styleParameters = adaptiveNorms.reduce(0) { $0 + 2 * $1.numFeatures }
        mlp = MUNITSubnetwork([Linear(styleDim, 256, generator: rng), ReLU(), Linear(256, 256, generator: rng), ReLU(),
                                Linear(256, styleParameters, generator: rng)])
        super.init()
    }

    override public var namedChildren: [(name: String, module: Module)] { [(name: "model", module: model as Module), (name: "mlp", module: mlp as Module)] }

    /// The image of `content` ([N, 256, H/4, W/4]) in `style` ([N, style_dim] or [N, style_dim, 1, 1]).
    public func callAsFunction(_ content: Tensor, _ style: Tensor) -> Tensor {
        let parameters = mlp(style)
        var offset = 0
        for norm in adaptiveNorms {
            let c = norm.numFeatures
            norm.style = (weight: parameters.slice(dim: 1, start: offset + c, end: offset + 2 * c),
                          bias: parameters.slice(dim: 1, start: offset, end: offset + c))
            offset += 2 * c
        }
        defer { for norm in adaptiveNorms { norm.style = nil } }
        return model(content)
    }
}

/// Per domain an encoder to content and style codes and a decoder from them; per domain a
/// multi-scale LSGAN discriminator (IN). G (both encoders and decoders) minimises: images
/// rebuilt from their own codes (10 L1), translations with random styles fooling the
/// other domain's D, and the translations' codes giving back the style drawn and the
/// source content (L1 each). Each D: real 1, translated 0, summed over its scales.
public final class MUNIT: ZooModel, GANModel, MultimodalTranslation {
    public static let info = ModelInfo(
        name: "munit", title: "Multimodal Unsupervised Image-to-Image Translation",
        citation: "Huang et al., 2018, arXiv:1804.04732",
        data: DataRequirement(.unpaired, dataset: "edges2shoes", fit: .stretch, flip: true),
        architecture: .conv, output: .translation)

    public static var defaults: CommonOptions {
        CommonOptions(batchSize: 1, lr: 0.0001, latentDim: 8, imgSize: 128, channels: 3, sampleInterval: 400)
    }

    public static var options: [OptionSpec] {
        [OptionSpec("dim", .int, 64, "Filters in the encoders' first layer."),
         OptionSpec("n-downsample", .int, 2, "Stride-2 downsamplings in the encoders (upsamplings in the decoders)."),
         OptionSpec("n-residual", .int, 3, "Residual blocks in the content encoders and the decoders."),
         OptionSpec("lambda-image", .float, 10, "Weight of the L1 loss of images rebuilt from their own codes."),
         OptionSpec("lambda-style", .float, 1, "Weight of the L1 loss between a translation's style code and the style drawn."),
         OptionSpec("lambda-content", .float, 1, "Weight of the L1 loss between a translation's content code and its source's."),
         OptionSpec("decay-epoch", .int, 100, "Epoch from which the learning rate falls linearly to 0 at --n-epochs."),
         OptionSpec("b-to-a", .flag, 0, "Domain 1 is the B half, so pictures, `gan sample` and `gan eval` translate B into A (default A -> B, as the reference).")]
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let s = config.common.imgSize, down = config.int("n-downsample")
        guard config.int("dim") > 0 else { throw ConfigError("--dim must be positive, got \(config.int("dim"))") }
        guard down >= 0, config.int("n-residual") >= 0 else { throw ConfigError("--n-downsample and --n-residual must not be negative") }
        // The encoders halve the image n_downsample times and the decoders double it back;
        // each D halves its coarsest scale (a quarter of the image) 4 times and
        // instance-normalises what is left, which needs 2x2 pixels (1x1 would zero its scores).
        guard s % (1 << down) == 0, s >= 128 else {
            throw ConfigError("munit needs an image size of at least 128 that its encoders can halve \(down) times (its discriminators' coarsest scale, a quarter of the image, is halved 4 times and normalised, which needs 2x2 pixels); got \(s)")
        }
        for name in ["lambda-image", "lambda-style", "lambda-content"] {
            let v = config.float(name)
            guard v >= 0, v.isFinite else { throw ConfigError("--\(name) must not be negative, got \(v)") }
        }
        guard config.int("decay-epoch") >= 0 else { throw ConfigError("--decay-epoch must not be negative, got \(config.int("decay-epoch"))") }
    }

    let Enc1: MUNITEncoder
    let Dec1: MUNITDecoder
    let Enc2: MUNITEncoder
    let Dec2: MUNITDecoder
    let D1: MultiScaleDiscriminator
    let D2: MultiScaleDiscriminator
    let optimizerG: Adam
    let optimizerD1: Adam
    let optimizerD2: Adam
    let schedules: [LambdaLR]
    let styles: RandomGenerator
    let lambdaImage: Float
    let lambdaStyle: Float
    let lambdaContent: Float
    let bToA: Bool

    public var codeDim: Int { config.common.latentDim }

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common, w = parts.weights
        let dim = config.int("dim"), down = config.int("n-downsample"), res = config.int("n-residual")
        func encoder() -> MUNITEncoder {
            MUNITEncoder(inChannels: c.channels, dim: dim, residualBlocks: res, downsamplings: down, styleDim: c.latentDim, generator: w)
        }
        func decoder() -> MUNITDecoder {
            MUNITDecoder(outChannels: c.channels, dim: dim, residualBlocks: res, upsamplings: down, styleDim: c.latentDim, generator: w)
        }
        Enc1 = parts.network("Enc1", encoder())
        Dec1 = parts.network("Dec1", decoder())
        Enc2 = parts.network("Enc2", encoder())
        Dec2 = parts.network("Dec2", decoder(), samples: true)
        D1 = parts.network("D1", MultiScaleDiscriminator(inChannels: c.channels, norm: .instance, generator: w))
        D2 = parts.network("D2", MultiScaleDiscriminator(inChannels: c.channels, norm: .instance, generator: w))
        // Convs N(0, 0.02); the MLPs and LayerNorms keep their own init, as the reference.
        initializeDCGANWeights(Enc1, Dec1, Enc2, Dec2, D1, D2, generator: w)
        styles = parts.stream("styles")
        optimizerG = parts.adam("optimizer_G", Enc1, Dec1, Enc2, Dec2)
        optimizerD1 = parts.adam("optimizer_D1", D1)
        optimizerD2 = parts.adam("optimizer_D2", D2)
        let factor = CycleGAN.rateFactor(config)
        schedules = [optimizerG, optimizerD1, optimizerD2].map { LambdaLR($0, factor: factor) }
        lambdaImage = config.float("lambda-image")
        lambdaStyle = config.float("lambda-style")
        lambdaContent = config.float("lambda-content")
        bToA = config.flag("b-to-a")
        super.init(parts)
    }

    public func epochStarted(_ epoch: Int) {
        for s in schedules { s.lastEpoch = epoch }
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let (x1, x2) = inputAndTarget(batch)
        let n = x1.shape[0], d = codeDim
        let style1 = Tensor.normal([n, d, 1, 1], generator: styles)
        let style2 = Tensor.normal([n, d, 1, 1], generator: styles)

        let (content1, ownStyle1) = Enc1(x1)
        let (content2, ownStyle2) = Enc2(x2)
        let x11 = Dec1(content1, ownStyle1), x22 = Dec2(content2, ownStyle2)
        let x21 = Dec1(content2, style1), x12 = Dec2(content1, style2)
        let (content21, style21) = Enc1(x21)
        let (content12, style12) = Enc2(x12)
        let adversarial = frozen(D1) { frozen(D2) { D1.loss(x21, target: 1) + D2.loss(x12, target: 1) } }
        let image = lambdaImage * (l1Loss(x11, x1) + l1Loss(x22, x2))
        let style = lambdaStyle * (l1Loss(style21, style1) + l1Loss(style12, style2))
        let content = lambdaContent * (l1Loss(content12, content1.detach()) + l1Loss(content21, content2.detach()))
        let gLoss = adversarial + image + style + content
        try optimize(optimizerG, gLoss)

        // Instance norm keeps the rows apart: real and translated in one pass per D.
        func discriminatorLoss(_ netD: MultiScaleDiscriminator, real: Tensor, fake: Tensor) -> Tensor {
            let scores = netD.outputs(Tensor.concat([real, fake.detach()], dim: 0))
            let terms = scores.map { s in
                mseLoss(s.slice(dim: 0, start: 0, end: n), Tensor.ones([n] + s.shape.dropFirst()))
                    + mseLoss(s.slice(dim: 0, start: n, end: 2 * n), Tensor.zeros([n] + s.shape.dropFirst()))
            }
            return terms.dropFirst().reduce(terms[0], +)
        }
        let d1 = discriminatorLoss(D1, real: x1, fake: x21)
        try optimize(optimizerD1, d1)
        let d2 = discriminatorLoss(D2, real: x2, fake: x12)
        try optimize(optimizerD2, d2)
        return [("d_loss", d1.item() + d2.item()), ("g_loss", gLoss.item()), ("adv", adversarial.item()), ("image", image.item()),
                ("style", style.item()), ("content", content.item())]
    }

    /// Dec2(content of Enc1(A), style): A translated into B with the given style codes.
    public func translate(_ inputs: Tensor, codes: Tensor) throws(ConfigError) -> Tensor {
        try checkTranslationInput(inputs, model: Self.info.name, shape: config.imageShape)
        guard codes.shape == [inputs.shape[0], codeDim] else {
            throw ConfigError("munit takes one style code of \(codeDim) values per input, got codes of shape \(codes.shape)")
        }
        return Dec2(Enc1(inputs).content, codes)
    }

    public func translate(_ inputs: Tensor) throws(ConfigError) -> Tensor {
        try translate(inputs, codes: Tensor.zeros([inputs.shape.first ?? 0, codeDim]))
    }

    /// Domain A is the input, B the target, unless --b-to-a.
    public func inputAndTarget(_ batch: TrainingBatch) -> (input: Tensor, target: Tensor) {
        let (a, b) = batch.pair
        return bToA ? (b, a) : (a, b)
    }

    public var progressExamples: Int { 5 }

    /// The reference's picture: per validation example a row of its input (A) and 8
    /// translations into B with styles drawn N(0, 1) (the same 8, from a fixed seed, each time).
    public func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int) {
        let c = config.common, count = 8
        guard let examples else { return (Tensor.zeros([1, c.channels, c.imgSize, (1 + count) * c.imgSize]), 1) }
        let rows = try? outputRows(inputAndTarget(examples).input, count: count, generator: RandomGenerator(seed: 0x5A17))
        return (rows ?? Tensor.zeros([examples.images.shape[0], c.channels, c.imgSize, (1 + count) * c.imgSize]), 1)
    }
}
