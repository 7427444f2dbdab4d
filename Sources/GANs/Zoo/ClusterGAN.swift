// ClusterGAN: Latent Space Clustering in Generative Adversarial Networks — Mukherjee et al., 2018, arXiv:1809.03627
// Differs from the reference: it fails on current PyTorch (D's loss reuses a graph the
// generator step changed in place) and hard-codes CUDA; here D scores the detached generated
// batch instead (the same values: D has not changed in between), and the generator/encoder
// step runs when the overall batch count, not the batch index within the epoch, is a
// multiple of --n-critic. The Wasserstein loss with gradient penalty is the default, as in
// the paper and as the reference's other defaults (n_critic 5, Adam betas (0.5, 0.9)) are
// tuned for; the reference defaults to the standard loss, with which D, stepping 5 times
// per G step, saturates (d_loss 1e-8 by batch 400, FD 1043 after an epoch against 849).
// --no-wass-flag gives the reference's default.
import Autograd
import NN

/// The reference's initialize_weights: conv, transposed-conv and linear weights N(0, 0.02),
/// zero biases.
private func clusterGANInit(_ module: Module, _ rng: RandomGenerator) {
    let layer: (weight: Tensor, bias: Tensor?)
    switch module {
    case let m as Conv2d: layer = (m.weight, m.bias)
    case let m as ConvTranspose2d: layer = (m.weight, m.bias)
    case let m as Linear: layer = (m.weight, m.bias)
    default: return
    }
    Init.normal(layer.weight, mean: 0, std: 0.02, generator: rng)
    if let b = layer.bias { Init.zeros(b) }
}

/// x.view(x.size(0), *shape) as a layer (the reference's Reshape, no parameters).
final class ClusterGANReshape: Module {
    let shape: [Int]
    init(_ shape: [Int]) {
        self.shape = shape
        super.init()
    }
    override func forward(_ x: Tensor) -> Tensor { x.reshape([x.shape[0]] + shape) }
}

/// [z_n, one-hot z_c] -> 1024 -> 128x7x7 (batch norm, LeakyReLU(0.2)) -> two 4x4 stride-2
/// transposed convs to a 28x28 image in [0, 1] (sigmoid).
final class ClusterGANGenerator: Module {
    let model: Sequential

    init(latentDim: Int, clusters: Int, generator rng: RandomGenerator) {
        model = Sequential(
            Linear(latentDim + clusters, 1024, generator: rng), BatchNorm1d(1024), LeakyReLU(0.2),
            Linear(1024, 128 * 7 * 7, generator: rng), BatchNorm1d(128 * 7 * 7), LeakyReLU(0.2),
            ClusterGANReshape([128, 7, 7]),
            ConvTranspose2d(128, 64, kernelSize: 4, stride: 2, padding: 1, generator: rng), BatchNorm2d(64), LeakyReLU(0.2),
            ConvTranspose2d(64, 1, kernelSize: 4, stride: 2, padding: 1, generator: rng), Sigmoid())
        super.init()
        apply { clusterGANInit($0, rng) }
    }

    func callAsFunction(_ zn: Tensor, _ zc: Tensor) -> Tensor { model(Tensor.concat([zn, zc], dim: 1)) }
}

/// The conv body shared by the encoder and the discriminator: two 4x4 stride-2 convs (64,
/// 128 channels, no padding: 28 -> 13 -> 5) with LeakyReLU(0.2), flattened, 1024 units.
private func clusterGANBody(_ rng: RandomGenerator) -> [Module] {
    [Conv2d(1, 64, kernelSize: 4, stride: 2, generator: rng), LeakyReLU(0.2),
     Conv2d(64, 128, kernelSize: 4, stride: 2, generator: rng), LeakyReLU(0.2),
     ClusterGANReshape([128 * 5 * 5]),
     Linear(128 * 5 * 5, 1024, generator: rng), LeakyReLU(0.2)]
}

/// Image -> the shared body -> [z_n, z_c logits].
final class ClusterGANEncoder: Module {
    let model: Sequential
    let latentDim: Int

    init(latentDim: Int, clusters: Int, generator rng: RandomGenerator) {
        model = Sequential(clusterGANBody(rng) + [Linear(1024, latentDim + clusters, generator: rng)])
        self.latentDim = latentDim
        super.init()
        apply { clusterGANInit($0, rng) }
    }

    /// The continuous part of the code and the logits of the cluster.
    func callAsFunction(_ image: Tensor) -> (zn: Tensor, logits: Tensor) {
        let z = model(image)
        return (z.slice(dim: 1, start: 0, end: latentDim), z.slice(dim: 1, start: latentDim, end: z.shape[1]))
    }
}

/// Image -> the shared body -> 1, with a sigmoid unless the Wasserstein loss is used (the
/// reference then wraps the body as model.0 and the sigmoid as model.1).
final class ClusterGANDiscriminator: Module {
    let model: Sequential

    init(wasserstein: Bool, generator rng: RandomGenerator) {
        let body = Sequential(clusterGANBody(rng) + [Linear(1024, 1, generator: rng)])
        model = wasserstein ? body : Sequential(body, Sigmoid())
        super.init()
        apply { clusterGANInit($0, rng) }
    }

    override func forward(_ image: Tensor) -> Tensor { model(image) }
}

public final class ClusterGAN: ZooModel, GANModel {
    public static let info = ModelInfo(name: "clustergan", title: "ClusterGAN: Latent Space Clustering in Generative Adversarial Networks",
                                       citation: "Mukherjee et al., 2018, arXiv:1809.03627", architecture: .conv)
    public static var defaults: CommonOptions { CommonOptions(lr: 0.0001, b2: 0.9, latentDim: 30) }
    public static var options: [OptionSpec] {
        [OptionSpec("n-critic", .int, 5, "Discriminator steps per generator/encoder step."),
         OptionSpec("wass-flag", .flag, 1, "Wasserstein loss with gradient penalty (the paper's); --no-wass-flag: the standard GAN loss (the reference's default)."),
         OptionSpec("n-classes", .int, 10, "Number of clusters (the one-hot part of the latent code).")]
    }

    /// The reference's weights of the z_n and z_c cycle losses, gradient-penalty strength and
    /// the generator/encoder optimiser's L2 weight decay.
    static let betaN: Float = 10, betaC: Float = 10, lambdaGP: Float = 10, decay: Float = 2.5e-5

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        guard config.common.imgSize == 28 else {
            throw ConfigError("clustergan's networks are built for 28x28 images (7 -> 14 -> 28 in the generator); got --img-size \(config.common.imgSize)")
        }
        guard config.common.channels == 1 else {
            throw ConfigError("clustergan's networks are built for gray images; got --channels \(config.common.channels)")
        }
        guard config.int("n-critic") >= 1 else { throw ConfigError("--n-critic must be positive, got \(config.int("n-critic"))") }
        guard config.int("n-classes") >= 1 else { throw ConfigError("--n-classes must be positive, got \(config.int("n-classes"))") }
    }

    let clusters: Int
    let nCritic: Int
    let wasserstein: Bool
    let netG: ClusterGANGenerator
    let encoder: ClusterGANEncoder
    let netD: ClusterGANDiscriminator
    let optimizerGE: Adam
    let optimizerD: Adam
    let noise: RandomGenerator

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        clusters = config.int("n-classes")
        nCritic = config.int("n-critic")
        wasserstein = config.flag("wass-flag")
        noise = parts.stream("noise")
        netG = parts.network("generator", ClusterGANGenerator(latentDim: c.latentDim, clusters: clusters, generator: parts.weights))
        encoder = parts.network("encoder", ClusterGANEncoder(latentDim: c.latentDim, clusters: clusters, generator: parts.weights))
        netD = parts.network("discriminator", ClusterGANDiscriminator(wasserstein: wasserstein, generator: parts.weights))
        optimizerGE = parts.adam("optimizer_GE", netG, encoder, weightDecay: Self.decay)
        optimizerD = parts.adam("optimizer_D", netD)
        super.init(parts)
    }

    public var iterationsPerCycle: Int { nCritic }

    /// z_n ~ 0.75 N(0, I) and a uniformly drawn cluster, one-hot.
    func sampleLatent(_ n: Int) -> (zn: Tensor, clusters: [Int]) {
        let zn = 0.75 * Tensor.normal([n, latentDim], generator: noise)
        return (zn, (0..<n).map { _ in noise.nextInt(below: clusters) })
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let n = batch.count
        let real = (batch.images + 1) / 2  // the reference trains on images in [0, 1]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])
        let (zn, zcIndex) = sampleLatent(n)
        let zc = Tensor.oneHot(zcIndex, classes: clusters)
        // Only the generator/encoder step back-propagates into G; the other batches need no graph.
        let geStep = batchesDone % nCritic == 0
        let generated = geStep ? netG(zn, zc) : withoutGrad { netG(zn, zc) }

        // Generator and encoder, every n-critic batches: fool D, and let the encoder recover
        // both parts of the code from the generated images.
        if geStep {
            let (encZn, encLogits) = encoder(generated)
            let cycle = Self.betaN * mseLoss(encZn, zn) + Self.betaC * crossEntropy(encLogits, targets: zcIndex)
            let adversarial = frozen(netD) { wasserstein ? netD(generated).mean() : binaryCrossEntropy(netD(generated), valid) }
            let geLoss = adversarial + cycle
            try optimize(optimizerGE, geLoss)
            _ = carried("ge_loss", geLoss.item())
        }

        // Discriminator, on real and generated images in one pass (D's rows never interact).
        let (dReal, dGen) = scoreBoth(netD, real, generated.detach())
        let dLoss: Tensor
        if wasserstein {
            dLoss = dReal.mean() - dGen.mean() + (try gradientPenalty(real: real, generated: generated.detach()))
        } else {
            dLoss = (binaryCrossEntropy(dReal, valid) + binaryCrossEntropy(dGen, fake)) / 2
        }
        try optimize(optimizerD, dLoss)
        return [("d_loss", dLoss.item()), ("ge_loss", carried("ge_loss"))]
    }

    /// lambda * (||grad D(x_hat)|| - 1)^2 at random interpolates of real and generated
    /// images (1e-12 under the norm's square root, as the reference).
    func gradientPenalty(real: Tensor, generated: Tensor) throws -> Tensor {
        let alpha = Tensor.uniform([real.shape[0], 1, 1, 1], generator: noise)
        let norms = try inputGradientNorms(netD.callAsFunction, at: interpolates(real, generated, alpha: alpha), epsilon: 1e-12)
        return Self.lambdaGP * (norms - 1).square().mean()
    }

    /// `labels` pick the clusters (drawn uniformly otherwise); `latent` is z_n as given (its
    /// prior is 0.75 N(0, I)). Images are mapped from the generator's [0, 1] to [-1, 1].
    public func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor {
        let zn = try latent.map { (z) throws(ConfigError) in try latentVectors(count, given: z, generator: rng) }
            ?? 0.75 * Tensor.normal([count, latentDim], generator: rng)
        let chosen = try checkedLabels(labels, count: count, classes: clusters, generator: rng)
        return netG(zn, Tensor.oneHot(chosen, classes: clusters)) * 2 - 1
    }

    /// One row per cluster, as the reference's gen_classes picture.
    public func progressGrid(examples: TrainingBatch?) -> (images: Tensor, rows: Int) {
        fixedNoiseGrid(count: clusters * clusters, rows: clusters, labels: (0..<(clusters * clusters)).map { $0 / clusters })
    }
}
