// Coupled Generative Adversarial Networks — Liu & Tuzel, 2016, arXiv:1606.07536
//
// Data: MNIST digits and MNIST-M images drawn independently (labels unused), both resized to 32 px bilinear and normalised to [-1, 1], as the reference's zipped loaders.
// As the reference: least-squares losses (the paper: cross-entropy); batch norms with eps 0.8 where it writes BatchNorm2d(C, 0.8) (the paper intends the default eps).
// Differs from the reference (cogan.py): a sample is a pair of one noise vector, the two domains side by side ([N, C, S, 2S]), and the picture shows 25 such pairs (the reference: 4 rows of domain 1 above 4 rows of domain 2).
// Sharing: the generators share their first layers, as the paper; the discriminators their first conv blocks, as the reference, where the paper shares the last ones (reference issue #62): --paper-sharing gives each domain its own first block and shares the later ones. The output layers are one per domain.
import Autograd
import NN

/// z -> Linear to 128 x (S/4)^2 -> shared batch norm, upsampling and conv layers, then
/// one conv head per domain, tanh: two images of the same z.
public final class CoupledGenerators: Module {
    let fc: Sequential
    let sharedConv: Sequential
    let G1: Sequential
    let G2: Sequential
    let initSize: Int

    init(latentDim: Int, channels: Int, imgSize: Int, generator rng: RandomGenerator) {
        initSize = imgSize / 4
        fc = Sequential(Linear(latentDim, 128 * initSize * initSize, generator: rng))
        sharedConv = Sequential(upsamplingLayers(generator: rng))
        G1 = Sequential(imageOutputLayers(channels: channels, generator: rng))
        G2 = Sequential(imageOutputLayers(channels: channels, generator: rng))
        super.init()
    }

    override public func stateName(forProperty name: String) -> String {
        name == "G1" || name == "G2" ? name : super.stateName(forProperty: name)
    }

    /// The images of domain 1 and domain 2 for noise z [N, latent].
    public func callAsFunction(_ z: Tensor) -> (Tensor, Tensor) {
        // The shared layers' last upsampling folds into each head's first convolution.
        let (embedding, upsamplingLeft) = sharedConv.forwardBeforeTrailingUpsample(fc(z).reshape([z.shape[0], 128, initSize, initSize]))
        guard upsamplingLeft else { return (G1(embedding), G2(embedding)) }
        return (G1.forward(nearestUpsampled: embedding), G2.forward(nearestUpsampled: embedding))
    }

    /// The pairs side by side: [N, C, S, 2S].
    override public func forward(_ z: Tensor) -> Tensor {
        let (a, b) = self(z)
        return Tensor.concat([a, b], dim: 3)
    }
}

/// Stride-2 conv blocks (cogan's order: conv, batch norm, LeakyReLU, Dropout2d) to 128 x
/// (S/16)^2 features, then one linear output per domain. The reference shares all four
/// blocks (`shared_conv`); with `paperSharing` each domain has its own first block.
public final class CoupledDiscriminators: Module {
    let firstConv1: Sequential?
    let firstConv2: Sequential?
    let sharedConv: Sequential
    let D1: Linear
    let D2: Linear

    init(channels: Int, imgSize: Int, paperSharing: Bool, generator rng: RandomGenerator, dropout: RandomGenerator) {
        func block(_ inC: Int, _ outC: Int, bn: Bool = true) -> [Module] {
            downsamplingConvBlock(inC, outC, batchNorm: bn, normBeforeActivation: true, generator: rng, dropout: dropout)
        }
        if paperSharing {
            firstConv1 = Sequential(block(channels, 16, bn: false))
            firstConv2 = Sequential(block(channels, 16, bn: false))
            sharedConv = Sequential(block(16, 32) + block(32, 64) + block(64, 128))
        } else {
            firstConv1 = nil
            firstConv2 = nil
            sharedConv = Sequential(block(channels, 16, bn: false) + block(16, 32) + block(32, 64) + block(64, 128))
        }
        D1 = Linear(downsampledFeatures(imgSize: imgSize), 1, generator: rng)
        D2 = Linear(downsampledFeatures(imgSize: imgSize), 1, generator: rng)
        super.init()
    }

    override public func stateName(forProperty name: String) -> String {
        name == "D1" || name == "D2" ? name : super.stateName(forProperty: name)
    }

    /// The scores [N, 1] of images of domain 1 and of domain 2, each domain a pass of its own
    /// (the batch norms see one domain at a time, as the reference).
    public func callAsFunction(_ images1: Tensor, _ images2: Tensor) -> (Tensor, Tensor) {
        let features1 = sharedConv(firstConv1.map { $0(images1) } ?? images1).flatten()
        let validity1 = D1(features1)
        let features2 = sharedConv(firstConv2.map { $0(images2) } ?? images2).flatten()
        return (validity1, D2(features2))
    }
}

/// Two GANs whose generators share their first layers and whose discriminators share some
/// layers, trained on the two domains at once with least-squares losses: G minimises the
/// mean of both domains' terms, D the mean of its four real and fake terms.
public final class CoGAN: ZooModel, GANModel {
    public static let info = ModelInfo(
        name: "cogan", title: "Coupled Generative Adversarial Networks", citation: "Liu & Tuzel, 2016, arXiv:1606.07536",
        data: DataRequirement(.domains, dataset: "mnistm", fit: .stretch, resizeFilter: .bilinear), architecture: .conv)

    public static var defaults: CommonOptions { CommonOptions(batchSize: 32, imgSize: 32, channels: 3) }

    public static var options: [OptionSpec] {
        [OptionSpec("paper-sharing", .flag, 0, "Share the discriminators' last conv blocks, as the paper (default: their first blocks, as the reference).")]
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) { try validateConvImageSize(config, model: "cogan") }

    public let coupledGenerators: CoupledGenerators
    public let coupledDiscriminators: CoupledDiscriminators
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common, w = parts.weights
        noise = parts.stream("noise")
        let dropout = parts.stream("dropout")
        coupledGenerators = parts.network("generator", CoupledGenerators(latentDim: c.latentDim, channels: c.channels, imgSize: c.imgSize, generator: w))
        coupledDiscriminators = parts.network("discriminator", CoupledDiscriminators(
            channels: c.channels, imgSize: c.imgSize, paperSharing: config.flag("paper-sharing"), generator: w, dropout: dropout))
        // The reference's init: linear weights N(0, 0.02), batch norms N(1, 0.02) and 0; convs keep PyTorch's default.
        for net: Module in [coupledGenerators, coupledDiscriminators] {
            net.apply { module in
                switch module {
                case let linear as Linear: Init.normal(linear.weight, mean: 0, std: 0.02, generator: w)
                case let norm as BatchNorm2d: weightsInitNormal(norm, generator: w)
                default: break
                }
            }
        }
        optimizerG = parts.adam("optimizer_G", coupledGenerators)
        optimizerD = parts.adam("optimizer_D", coupledDiscriminators)
        super.init(parts)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let (real1, real2) = batch.pair, n = real1.shape[0]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])

        let z = Tensor.normal([n, latentDim], generator: noise)
        let (generated1, generated2) = coupledGenerators(z)
        let gLoss = frozen(coupledDiscriminators) {
            let (v1, v2) = coupledDiscriminators(generated1, generated2)
            return (mseLoss(v1, valid) + mseLoss(v2, valid)) / 2
        }
        try optimize(optimizerG, gLoss)

        let (real1Score, real2Score) = coupledDiscriminators(real1, real2)
        let (fake1Score, fake2Score) = coupledDiscriminators(generated1.detach(), generated2.detach())
        let dLoss = (mseLoss(real1Score, valid) + mseLoss(fake1Score, fake) + mseLoss(real2Score, valid) + mseLoss(fake2Score, fake)) / 4
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item())]
    }

    /// The two domains' images [N, C, S, S] of the drawn or given noise, with the networks in
    /// eval mode, without a graph.
    public func samplePairsForOutput(count: Int, latent: Tensor? = nil, generator rng: RandomGenerator) throws(ConfigError) -> (Tensor, Tensor) {
        let pairs = try sampleForOutput(count: count, latent: latent, generator: rng)
        let s = config.common.imgSize
        return (pairs.slice(dim: 3, start: 0, end: s), pairs.slice(dim: 3, start: s, end: 2 * s))
    }
}
