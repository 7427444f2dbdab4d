// StarGAN: Unified Generative Adversarial Networks for Multi-Domain Image-to-Image Translation — Choi et al., 2018, arXiv:1711.09020
//
// Data: CelebA faces, shorter side resized to int(1.12 x 128) = 143, a random 128 crop, as the reference: at 128 px its critic's six halvings leave the 2x2 map the classifier reads (our 89x109 faces are upsampled); as the reference, the last 2000 faces are held out of training (pictures and `gan eval` use them).
// As the reference, which never puts G in eval mode: edits and pictures normalise by each image's own statistics (the running ones are kept, unused).
// Where we differ from the reference (stargan.py), one line each:
// - Random target attributes set exactly one of the selected hair colours, as the official code; the reference draws every attribute 0/1, asking for several hair colours at once.
// - The generator steps on batches where batchesDone % n_critic == 0 (the reference: the batch index within the epoch), as the zoo's other n_critic models.
// - On a generator batch one pass of G serves the critic (detached) and the generator step; the reference runs G again (its running statistics count the batch twice).
// - Pictures use fixed held-out faces, centre crops (the reference: random ones of them, resized to 128x128).
import Autograd
import NN

/// The reference's `Discriminator`: 6 stride-2 4x4 convs (64 -> 2048 channels, LeakyReLU 0.01,
/// no norm) in `model`; `out1`: a bias-free 3x3 conv to one channel (the critic's patch scores);
/// `out2`: a bias-free conv over the whole remaining map to one logit per attribute.
public final class StarGANDiscriminator: Module {
    public let model: Sequential
    public let out1: Conv2d
    public let out2: Conv2d

    public init(inChannels: Int = 3, imgSize: Int = 128, attributes: Int = 5, strided: Int = 6, generator rng: RandomGenerator? = nil) {
        var layers: [Module] = []
        var c = inChannels, width = 64
        for _ in 0..<strided {
            layers += [Conv2d(c, width, kernelSize: 4, stride: 2, padding: 1, generator: rng), LeakyReLU(0.01)]
            c = width
            width *= 2
        }
        model = Sequential(layers)
        out1 = Conv2d(c, 1, kernelSize: 3, padding: 1, bias: false, generator: rng)
        out2 = Conv2d(c, attributes, kernelSize: Pair(imgSize >> strided), bias: false, generator: rng)
        super.init()
    }

    /// The critic's patch scores (what the gradient penalty differentiates).
    override public func forward(_ input: Tensor) -> Tensor { out1(model(input)) }

    /// The patch scores and the attribute logits [N, k].
    public func scores(_ input: Tensor) -> (adversarial: Tensor, logits: Tensor) {
        let features = model(input)
        return (out1(features), out2(features).flatten())
    }
}

extension ResNetGenerator {
    /// stargan's conditioning: the attributes [N, k] tiled over the image as k more channels.
    public func callAsFunction(_ images: Tensor, attributes: Tensor) -> Tensor {
        let n = images.shape[0], k = attributes.shape[1]
        let maps = attributes.reshape([n, k, 1, 1]).expand(to: [n, k, images.shape[2], images.shape[3]])
        return model(Tensor.concat([images, maps], dim: 1))
    }
}

/// Edits photographs toward target attributes (`gan sample stargan --attributes ...`).
public protocol AttributeEditingModel: GANModel {
    /// The attributes the model was trained on, in order.
    var attributeNames: [String] { get }
    /// `images` ([N, C, S, S] in [-1, 1]) with the named attributes on and the others off.
    func edit(_ images: Tensor, attributes: [String]) throws(ConfigError) -> Tensor
    /// `images` [N, C, S, S] toward `targets` [N, k] (0/1 per attribute, in `attributeNames`' order).
    func edit(_ images: Tensor, targets: Tensor) throws(ConfigError) -> Tensor
    /// The k single edits of a face with attributes `own` (one per attribute), as pictured and evaluated.
    func singleEdits(of own: [Float]) -> [[Float]]
}

/// One ResNet generator G(x, c) for every attribute combination c and one critic with an
/// auxiliary attribute classifier. The critic, every batch: -mean D(x) + mean D(G(x, c')) +
/// lambda_gp GP + lambda_cls BCE(cls(x), c); G, every n_critic batches: -mean D(G(x, c')) +
/// lambda_cls BCE(cls(G(x, c')), c') + lambda_rec L1(G(G(x, c'), c), x). BCE is summed over
/// the attributes and averaged over the batch; c' are random target attributes.
public final class StarGAN: ZooModel, GANModel, AttributeEditingModel {
    public static let info = ModelInfo(
        name: "stargan",
        title: "StarGAN: Unified Generative Adversarial Networks for Multi-Domain Image-to-Image Translation",
        citation: "Choi et al., 2018, arXiv:1711.09020",
        data: DataRequirement(.attributes, dataset: "celeba", fit: .randomCrop, loadScale: 1.12, flip: true, attributes: defaultAttributes,
                              heldOut: 2000),
        architecture: .conv, output: .translation)

    public static var defaults: CommonOptions { CommonOptions(batchSize: 16, imgSize: 128, channels: 3, sampleInterval: 400) }

    public static var options: [OptionSpec] {
        [OptionSpec("n-critic", .int, 5, "Critic steps per generator step."),
         OptionSpec("residual-blocks", .int, 6, "Residual blocks in the generator."),
         OptionSpec("lambda-cls", .float, 1, "Weight of the attribute classification losses."),
         OptionSpec("lambda-rec", .float, 10, "Weight of the reconstruction L1 loss."),
         OptionSpec("lambda-gp", .float, 10, "Weight of the gradient penalty."),
         OptionSpec("n-strided", .int, 6, "Stride-2 convs of the critic, 64 channels doubling each (the reference's constructor argument).")]
    }

    /// The reference's selected attributes.
    public static let defaultAttributes = ["Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"]
    /// CelebA's hair colours, of which a face has one (the official code's group).
    public static let hairColours: Set<String> = ["Black_Hair", "Blond_Hair", "Brown_Hair", "Gray_Hair"]
    /// The attributes are the reference's unless --selected-attrs names others.
    public static func data(for config: ModelConfig) -> DataRequirement {
        var r = info.data
        r.attributes = config.data.attributes ?? defaultAttributes
        return r
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let s = config.common.imgSize, strided = config.int("n-strided")
        guard (1...6).contains(strided) else { throw ConfigError("--n-strided must be from 1 to 6 (64 to 2048 channels), got \(strided)") }
        guard s % (1 << strided) == 0 else {
            throw ConfigError("stargan needs an image size that is a multiple of \(1 << strided) (its critic halves the image \(strided) times and classifies what is left whole); got \(s)")
        }
        try validateCriticSteps(config)
        if let names = config.data.attributes {
            guard !names.isEmpty, !names.contains("") else { throw ConfigError("--selected-attrs needs one or more attribute names, comma-separated") }
            guard Set(names).count == names.count else { throw ConfigError("--selected-attrs names an attribute twice: \(names.joined(separator: ","))") }
        }
        guard config.int("residual-blocks") >= 0 else { throw ConfigError("--residual-blocks must not be negative, got \(config.int("residual-blocks"))") }
        for name in ["lambda-cls", "lambda-rec", "lambda-gp"] {
            let v = config.float(name)
            guard v >= 0, v.isFinite else { throw ConfigError("--\(name) must not be negative, got \(v)") }
        }
    }

    /// The positions of the hair colours among `attributes` when there are several (one of
    /// them is set at a time), else none.
    static func hairGroup(_ attributes: [String]) -> [Int] {
        let group = attributes.indices.filter { hairColours.contains(attributes[$0]) }
        return group.count > 1 ? group : []
    }

    /// Random target attributes [count, k]: each 0 or 1 with probability 1/2, but exactly one
    /// of the hair colours (uniformly) where several are among `attributes`.
    public static func randomTargets(count: Int, attributes: [String], generator rng: RandomGenerator) -> Tensor {
        let group = hairGroup(attributes)
        var values: [Float] = []
        values.reserveCapacity(count * attributes.count)
        for _ in 0..<count {
            var row = [Float](repeating: 0, count: attributes.count)
            for i in attributes.indices where !group.contains(i) { row[i] = rng.nextUniform() < 0.5 ? 1 : 0 }
            if !group.isEmpty { row[group[rng.nextInt(below: group.count)]] = 1 }
            values += row
        }
        return Tensor(shape: [count, attributes.count], scalars: values)
    }

    let G: ResNetGenerator
    let D: StarGANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    /// Random target attributes.
    let targets: RandomGenerator
    /// Interpolation weights of the gradient penalty.
    let penalty: RandomGenerator
    public let attributeNames: [String]
    let nCritic: Int
    let lambdaCls: Float
    let lambdaRec: Float
    let lambdaGP: Float

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common, w = parts.weights
        attributeNames = Self.data(for: config).attributes
        let k = attributeNames.count
        G = parts.network("generator", ResNetGenerator(style: .stargan, inChannels: c.channels + k, outChannels: c.channels,
                                                         residualBlocks: config.int("residual-blocks"), generator: w))
        D = parts.network("discriminator", StarGANDiscriminator(inChannels: c.channels, imgSize: c.imgSize, attributes: k,
                                                                strided: config.int("n-strided"), generator: w))
        // Conv weights N(0, 0.02); biases and the norms' affine parameters keep their default init.
        for net: Module in [G, D] { net.apply { weightsInitNormal($0, generator: w) } }
        targets = parts.stream("targets")
        penalty = parts.stream("penalty")
        optimizerG = parts.adam("optimizer_G", G)
        optimizerD = parts.adam("optimizer_D", D)
        nCritic = config.int("n-critic")
        lambdaCls = config.float("lambda-cls")
        lambdaRec = config.float("lambda-rec")
        lambdaGP = config.float("lambda-gp")
        super.init(parts)
    }

    public var iterationsPerCycle: Int { nCritic }

    /// The reference's `criterion_cls`: BCE with logits summed over the attributes, averaged over the batch.
    func classification(_ logits: Tensor, _ target: Tensor) -> Tensor {
        binaryCrossEntropyWithLogits(logits, target, reduction: .sum) / Float(logits.shape[0])
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images, n = real.shape[0]
        guard let labels = batch.attributes else { preconditionFailure("stargan: a batch without attributes") }
        let generatorBatch = batchesDone % nCritic == 0
        let wanted = Self.randomTargets(count: n, attributes: attributeNames, generator: targets)
        // With a graph on generator batches (the generator step reuses it).
        let fake = generatorBatch ? G(real, attributes: wanted) : withoutGrad { G(real, attributes: wanted) }

        // The critic, every batch: real and generated faces in one pass (no norm: rows stay apart).
        let (adversarial, logits) = D.scores(Tensor.concat([real, fake.detach()], dim: 0))
        let alpha = Tensor.uniform([n, 1, 1, 1], generator: penalty)
        let gp = (try inputGradientNorms({ self.D($0) }, at: interpolates(real, fake.detach(), alpha: alpha)) - 1).square().mean()
        let dAdversarial = -adversarial.slice(dim: 0, start: 0, end: n).mean() + adversarial.slice(dim: 0, start: n, end: 2 * n).mean()
            + lambdaGP * gp
        let dClassification = classification(logits.slice(dim: 0, start: 0, end: n), labels)
        let dLoss = dAdversarial + lambdaCls * dClassification
        try optimize(optimizerD, dLoss)

        // The generator, every n_critic batches; its losses are carried to the batches between.
        if generatorBatch {
            let (scores, fakeLogits) = frozen(D) { D.scores(fake) }
            let gAdversarial = -scores.mean()
            let gClassification = classification(fakeLogits, wanted)
            let reconstruction = l1Loss(G(fake, attributes: labels), real)
            let gLoss = gAdversarial + lambdaCls * gClassification + lambdaRec * reconstruction
            try optimize(optimizerG, gLoss)
            _ = carried("g_loss", gLoss.item())
            _ = carried("g_adv", gAdversarial.item())
            _ = carried("g_cls", gClassification.item())
            _ = carried("cycle", reconstruction.item())
        }
        return [("d_adv", dAdversarial.item()), ("d_cls", dClassification.item()), ("g_loss", carried("g_loss")),
                ("g_adv", carried("g_adv")), ("g_cls", carried("g_cls")), ("cycle", carried("cycle"))]
    }

    /// G(images, c) normalised by each image's own statistics, without a graph.
    func generate(_ images: Tensor, attributes: Tensor) -> Tensor {
        let norms = G.modules().compactMap { $0 as? InstanceNorm2d }
        let kept = norms.map { ($0.runningMean, $0.runningVar) }
        for norm in norms { norm.runningMean = nil; norm.runningVar = nil }
        defer { for (norm, (mean, variance)) in zip(norms, kept) { norm.runningMean = mean; norm.runningVar = variance } }
        return withoutGrad { G(images, attributes: attributes) }
    }

    /// The target vector for attribute names: those named on, the others off.
    public func targetAttributes(_ names: [String]) throws(ConfigError) -> [Float] {
        let known = attributeNames.joined(separator: ", ")
        if let bad = names.first(where: { !attributeNames.contains($0) }) {
            throw ConfigError("--attributes: stargan was trained on \(known); '\(bad)' is not one of them")
        }
        let group = Self.hairGroup(attributeNames).map { attributeNames[$0] }
        if names.filter(group.contains).count > 1 {
            throw ConfigError("--attributes: give at most one hair colour (\(group.joined(separator: ", "))), got \(names.filter(group.contains).joined(separator: ", "))")
        }
        return attributeNames.map { names.contains($0) ? 1 : 0 }
    }

    public func edit(_ images: Tensor, attributes names: [String]) throws(ConfigError) -> Tensor {
        try checkTranslationInput(images, model: Self.info.name, shape: config.imageShape)
        let row = try targetAttributes(names)
        let n = images.shape[0]
        return generate(images, attributes: Tensor(shape: [n, row.count], scalars: Array((0..<n).map { _ in row }.joined())))
    }

    public func edit(_ images: Tensor, targets: Tensor) throws(ConfigError) -> Tensor {
        try checkTranslationInput(images, model: Self.info.name, shape: config.imageShape)
        guard targets.shape == [images.shape[0], attributeNames.count] else {
            throw ConfigError("stargan: \(images.shape[0]) faces need [\(images.shape[0]), \(attributeNames.count)] targets, got \(targets.shape)")
        }
        return generate(images, attributes: targets)
    }

    /// Per attribute: the face with that hair colour (the rest of the group off) or with the
    /// attribute flipped, as the official code's test edits.
    public func singleEdits(of own: [Float]) -> [[Float]] {
        let group = Self.hairGroup(attributeNames)
        return attributeNames.indices.map { i in
            var row = own
            if group.contains(i) {
                for j in group { row[j] = j == i ? 1 : 0 }
            } else {
                row[i] = 1 - row[i]
            }
            return row
        }
    }

    public func translate(_ inputs: Tensor) throws(ConfigError) -> Tensor {
        throw ConfigError("stargan edits faces toward target attributes: give --attributes, a comma-separated list of \(attributeNames.joined(separator: ", "))")
    }

    /// The reference's validation batch.
    public var progressExamples: Int { 10 }

    /// The reference's picture, one row per face: the face, then per attribute the face with
    /// that hair colour (the group set to it) or with the attribute flipped.
    public func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int) {
        let c = config.common, k = attributeNames.count
        guard let examples, let labels = examples.attributes else { return (Tensor.zeros([1 + k] + config.imageShape), 1 + k) }
        var rows: [Tensor] = []
        for e in 0..<examples.count {
            let face = examples.images.slice(dim: 0, start: e, end: e + 1)
            let edits = Array(singleEdits(of: labels.slice(dim: 0, start: e, end: e + 1).scalars).joined())
            let faces = face.expand(to: [k, c.channels, c.imgSize, c.imgSize])
            rows += [face, generate(faces, attributes: Tensor(shape: [k, k], scalars: edits))]
        }
        return (Tensor.concat(rows, dim: 0), 1 + k)
    }
}
