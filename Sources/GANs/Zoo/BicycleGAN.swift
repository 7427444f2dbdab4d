// Toward Multimodal Image-to-Image Translation (BicycleGAN) — Zhu et al., 2017, arXiv:1711.11586
//
// As the reference: A -> B (edges -> shoes), the code enters as a Linear map to one extra
// input channel, the KL term is summed over the batch, BN.8 (the paper intends the default eps).
// Differences from the reference, one line each:
// - The multi-scale discriminators pool with kernel 3: the reference names it `in_channels` without defining it (its issue #105); 3 is the intended value.
// - --b-to-a translates B into A (facades: label map -> photo).
// - `translate` uses the zero code (the prior's mean); pictures and `gan sample --input` show 8 codes drawn N(0, 1), the same 8 each time.
import Autograd
import NN

/// The reference's `Generator`: `fc` maps the code to one H x W channel, concatenated to the
/// image, then a 7-level U-Net (`down1`... `up6`, `final`).
public final class BicycleGANGenerator: Module {
    let fc: Linear
    let unet: UNetGenerator
    let imageSize: Int

    init(latentDim: Int, channels: Int, imageSize: Int, generator rng: RandomGenerator) {
        fc = Linear(latentDim, imageSize * imageSize, generator: rng)
        unet = UNetGenerator(.bicyclegan(channels: channels), generator: rng)
        self.imageSize = imageSize
        super.init()
    }

    override public var namedChildren: [(name: String, module: Module)] { [(name: "fc", module: fc as Module)] + unet.namedChildren }

    public func callAsFunction(_ image: Tensor, _ z: Tensor) -> Tensor {
        let map = fc(z).reshape([z.shape[0], 1, imageSize, imageSize])
        return unet(Tensor.concat([image, map], dim: 1))
    }
}

/// The reference's `Encoder`: ResNet-18's stem and layers 1-3 (random init), 8x8 average
/// pooling to 256 features, and two Linear heads: the mean and log-variance of q(z | B).
public final class BicycleGANEncoder: Module {
    let featureExtractor: Sequential
    let pooling = AvgPool2d(8, stride: 8)
    let fcMu: Linear
    let fcLogvar: Linear

    init(latentDim: Int, generator rng: RandomGenerator) {
        featureExtractor = resnet18Features(generator: rng)
        fcMu = Linear(256, latentDim, generator: rng)
        fcLogvar = Linear(256, latentDim, generator: rng)
        super.init()
    }

    public func callAsFunction(_ image: Tensor) -> (mu: Tensor, logvar: Tensor) {
        let features = pooling(featureExtractor(image)).reshape([image.shape[0], -1])
        return (fcMu(features), fcLogvar(features))
    }
}

/// G(A, z) -> B, E(B) -> q(z | B), and two multi-scale LSGAN discriminators on B alone.
/// cVAE-GAN: z = E(B) reparameterised, G(A, z) ~ B in L1, D_VAE fooled, KL(q || N(0, I)).
/// cLR-GAN: z ~ N(0, I), D_LR fooled by G(A, z), and E(G(A, z)) recovers z in L1.
/// G and E minimise the first losses (E steps), then the latent loss trains G only (G steps
/// on the sum); each D minimises LSGAN(real, 1) + LSGAN(fake, 0) summed over its scales.
public final class BicycleGAN: ZooModel, GANModel, MultimodalTranslation {
    public static let info = ModelInfo(
        name: "bicyclegan", title: "Toward Multimodal Image-to-Image Translation",
        citation: "Zhu et al., 2017, arXiv:1711.11586",
        data: DataRequirement(.pairs, dataset: "edges2shoes", fit: .stretch, flip: true),
        architecture: .conv, output: .translation)

    public static var defaults: CommonOptions {
        CommonOptions(batchSize: 8, latentDim: 8, imgSize: 128, channels: 3, sampleInterval: 400)
    }

    public static var options: [OptionSpec] {
        [OptionSpec("lambda-pixel", .float, 10, "Weight of the L1 loss between G(A, E(B)) and B."),
         OptionSpec("lambda-latent", .float, 0.5, "Weight of the L1 loss between E(G(A, z)) and z."),
         OptionSpec("lambda-kl", .float, 0.01, "Weight of the KL divergence of E's posterior from N(0, I)."),
         OptionSpec("b-to-a", .flag, 0, "Translate the B half of each pair into the A half (facades: label map -> photo; default A -> B, as the reference).")]
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let c = config.common
        guard c.imgSize == 128 else {
            throw ConfigError("bicyclegan needs --img-size 128: its encoder pools ResNet-18's 8x8 layer3 map into 256 features, and its U-Net halves the image 7 times; got \(c.imgSize)")
        }
        guard c.channels == 3 else { throw ConfigError("bicyclegan needs --channels 3 (its encoder is ResNet-18, made for RGB); got \(c.channels)") }
        for name in ["lambda-pixel", "lambda-latent", "lambda-kl"] {
            let v = config.float(name)
            guard v >= 0, v.isFinite else { throw ConfigError("--\(name) must not be negative, got \(v)") }
        }
    }

    let generatorNet: BicycleGANGenerator
    let encoder: BicycleGANEncoder
    let D_VAE: MultiScaleDiscriminator
    let D_LR: MultiScaleDiscriminator
    let optimizerE: Adam
    let optimizerG: Adam
    let optimizerDVAE: Adam
    let optimizerDLR: Adam
    let latent: RandomGenerator
    let lambdaPixel: Float
    let lambdaLatent: Float
    let lambdaKL: Float
    let bToA: Bool

    public var codeDim: Int { config.common.latentDim }

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common, w = parts.weights
        generatorNet = parts.network("generator", BicycleGANGenerator(latentDim: c.latentDim, channels: c.channels, imageSize: c.imgSize, generator: w))
        encoder = parts.network("encoder", BicycleGANEncoder(latentDim: c.latentDim, generator: w))
        D_VAE = parts.network("D_VAE", MultiScaleDiscriminator(inChannels: c.channels, norm: .batch(eps: 0.8), generator: w))
        D_LR = parts.network("D_LR", MultiScaleDiscriminator(inChannels: c.channels, norm: .batch(eps: 0.8), generator: w))
        // N(0, 0.02) convs and N(1, 0.02) batch norms on G and the Ds; E keeps ResNet's init.
        initializeDCGANWeights(generatorNet, D_VAE, D_LR, generator: w)
        latent = parts.stream("latent")
        optimizerE = parts.adam("optimizer_E", encoder)
        optimizerG = parts.adam("optimizer_G", generatorNet)
        optimizerDVAE = parts.adam("optimizer_D_VAE", D_VAE)
        optimizerDLR = parts.adam("optimizer_D_LR", D_LR)
        lambdaPixel = config.float("lambda-pixel")
        lambdaLatent = config.float("lambda-latent")
        lambdaKL = config.float("lambda-kl")
        bToA = config.flag("b-to-a")
        super.init(parts)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let (realA, realB) = inputAndTarget(batch)
        let n = realA.shape[0], d = codeDim

        // cVAE-GAN: B's code, reparameterised, must give B back.
        let (mu, logvar) = encoder(realB)
        let encodedZ = mu + (logvar / 2).exp() * Tensor.normal([n, d], generator: latent)
        let fakeB = generatorNet(realA, encodedZ)
        let pixel = l1Loss(fakeB, realB)
        let kl = 0.5 * (logvar.exp() + mu * mu - logvar - 1).sum()
        // cLR-GAN: a code from the prior.
        let sampledZ = Tensor.normal([n, d], generator: latent)
        let randomFakeB = generatorNet(realA, sampledZ)
        let (vaeGAN, lrGAN) = frozen(D_VAE) { frozen(D_LR) { (D_VAE.loss(fakeB, target: 1), D_LR.loss(randomFakeB, target: 1)) } }
        let geLoss = vaeGAN + lrGAN + lambdaPixel * pixel + lambdaKL * kl
        optimizerE.zeroGrad()
        optimizerG.zeroGrad()
        try geLoss.backward(retainGraph: true)
        optimizerE.step()
        optimizerE.zeroGrad()

        // The latent loss, through the updated E, adds to G's gradient only.
        let latentLoss = frozen(encoder) { lambdaLatent * l1Loss(encoder(randomFakeB).mu, sampledZ) }
        try latentLoss.backward()
        optimizerG.step()
        optimizerG.zeroGrad()

        let dVAE = D_VAE.loss(realB, target: 1) + D_VAE.loss(fakeB.detach(), target: 0)
        try optimize(optimizerDVAE, dVAE)
        let dLR = D_LR.loss(realB, target: 1) + D_LR.loss(randomFakeB.detach(), target: 0)
        try optimize(optimizerDLR, dLR)
        return [("d_vae", dVAE.item()), ("d_lr", dLR.item()), ("g_loss", geLoss.item()), ("pixel", pixel.item()),
                ("kl", kl.item()), ("latent", latentLoss.item())]
    }

    public func translate(_ inputs: Tensor, codes: Tensor) throws(ConfigError) -> Tensor {
        try checkTranslationInput(inputs, model: Self.info.name, shape: config.imageShape)
        guard codes.shape == [inputs.shape[0], codeDim] else {
            throw ConfigError("bicyclegan takes one code of \(codeDim) values per input, got codes of shape \(codes.shape)")
        }
        return generatorNet(inputs, codes)
    }

    /// G(A, 0): the output for the prior's mean code.
    public func translate(_ inputs: Tensor) throws(ConfigError) -> Tensor {
        try translate(inputs, codes: Tensor.zeros([inputs.shape.first ?? 0, codeDim]))
    }

    /// Domain A is the input, B the target, unless --b-to-a.
    public func inputAndTarget(_ batch: TrainingBatch) -> (input: Tensor, target: Tensor) {
        let (a, b) = batch.pair
        return bToA ? (b, a) : (a, b)
    }

    public var progressExamples: Int { 8 }

    /// The reference's picture: per validation example a row of its input and G's outputs for
    /// 8 codes drawn N(0, 1) (here the same 8 codes, from a fixed seed, in every picture).
    public func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int) {
        let c = config.common, count = 8
        guard let examples else { return (Tensor.zeros([1, c.channels, c.imgSize, (1 + count) * c.imgSize]), 1) }
        let rows = (try? outputRows(inputAndTarget(examples).input, count: count, generator: RandomGenerator(seed: 0x5A17)))
        return (rows ?? Tensor.zeros([examples.images.shape[0], c.channels, c.imgSize, (1 + count) * c.imgSize]), 1)
    }
}
