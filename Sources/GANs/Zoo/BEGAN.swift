// BEGAN: Boundary Equilibrium Generative Adversarial Networks — Berthelot et al., 2017, arXiv:1703.10717
import Autograd
import NN

/// The discriminator is an autoencoder: a stride-2 conv to 64 x (size/2)^2, a 32-unit
/// bottleneck (batch norm eps 0.8 as the reference's BatchNorm1d(32, 0.8); the paper
/// intends the default eps), back up, nearest upsampling and a conv to an image.
final class BEGANDiscriminator: Module {
    let down: Sequential
    let fc: Sequential
    let up: Sequential
    let downSize: Int

    init(channels: Int, imgSize: Int, generator rng: RandomGenerator) {
        downSize = imgSize / 2
        let downDim = 64 * downSize * downSize
        down = Sequential(Conv2d(channels, 64, kernelSize: 3, stride: 2, padding: 1, generator: rng), ReLU())
        fc = Sequential(
            Linear(downDim, 32, generator: rng), BatchNorm1d(32, 0.8), ReLU(),
            Linear(32, downDim, generator: rng), BatchNorm1d(downDim), ReLU())
        up = Sequential(Upsample(scaleFactor: 2), Conv2d(64, channels, kernelSize: 3, stride: 1, padding: 1, generator: rng))
        super.init()
    }

    override func forward(_ image: Tensor) -> Tensor {
        let n = image.shape[0]
        return up(fc(down(image).flatten()).reshape([n, 64, downSize, downSize]))
    }
}

/// BEGAN's equilibrium term k, kept as a buffer so checkpoints save and restore it.
final class BEGANBalance: Module {
    @Buffer var k: Tensor? = Tensor(0)

    var value: Float {
        get { k!.item() }
        set { k!.setItem(newValue) }
    }
}

/// dcgan's generator (latent 62) against the autoencoder: D minimises L(x) - k L(G(z)),
/// G minimises L(G(z)), with L the mean absolute reconstruction error; k follows
/// k += lambda_k (gamma L(x) - L(G(z))), clamped to [0, 1]. Logs M = L(x) + |gamma L(x) -
/// L(G(z))|, the convergence measure. The reference indexes a 0-dim tensor for M, which
/// recent PyTorch refuses; M here is the same number.
public final class BEGAN: ZooModel, GANModel {
    public static let info = ModelInfo(name: "began", title: "BEGAN: Boundary Equilibrium Generative Adversarial Networks",
                                       citation: "Berthelot et al., 2017, arXiv:1703.10717", architecture: .conv)
    public static var defaults: CommonOptions { CommonOptions(latentDim: 62, imgSize: 32) }
    public static var options: [OptionSpec] {
        [OptionSpec("gamma", .float, 0.75, "Diversity ratio: the equilibrium E[L(G(z))] = gamma E[L(x)]."),
         OptionSpec("lambda-k", .float, 0.001, "Learning rate of the equilibrium term k.")]
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        try validateAutoencoderImageSize(config, model: "began")
        guard (0...1).contains(config.float("gamma")) else { throw ConfigError("--gamma must be in [0, 1], got \(config.float("gamma"))") }
        guard config.float("lambda-k") >= 0 else { throw ConfigError("--lambda-k must not be negative, got \(config.float("lambda-k"))") }
    }

    let netG: ConvGenerator
    let netD: BEGANDiscriminator
    let balance: BEGANBalance
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed), c = config.common
        noise = parts.stream("noise")
        netG = parts.network("generator", ConvGenerator(inputDim: c.latentDim, channels: c.channels, imgSize: c.imgSize, generator: parts.weights))
        netD = parts.network("discriminator", BEGANDiscriminator(channels: c.channels, imgSize: c.imgSize, generator: parts.weights))
        balance = parts.network("balance", BEGANBalance())
        initializeDCGANWeights(netG, netD, generator: parts.weights)
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        super.init(parts)
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images
        let z = Tensor.normal([real.shape[0], latentDim], generator: noise)

        // Generator: make generated images easy for D to reconstruct.
        let generated = netG(z)
        let gLoss = frozen(netD) { (netD(generated) - generated).abs().mean() }
        try optimize(optimizerG, gLoss)

        // Discriminator: reconstruct real images well, generated ones badly (weighted by k).
        let fake = generated.detach()
        let dLossReal = (netD(real) - real).abs().mean()
        let dLossFake = (netD(fake) - fake).abs().mean()
        let k = balance.value
        let dLoss = dLossReal - k * dLossFake
        try optimize(optimizerD, dLoss)

        // Equilibrium: move k towards gamma L(x) = L(G(z)).
        let lossReal = dLossReal.item()
        let diff = config.float("gamma") * lossReal - dLossFake.item()
        balance.value = Swift.min(Swift.max(k + config.float("lambda-k") * diff, 0), 1)
        let m = lossReal + Swift.abs(diff)
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item()), ("M", m), ("k", balance.value)]
    }
}

/// The image sizes of began's and ebgan's networks (the generator upsamples twice).
func validateAutoencoderImageSize(_ config: ModelConfig, model: String) throws(ConfigError) {
    let s = config.common.imgSize
    guard s >= 4, s % 4 == 0 else {
        throw ConfigError("\(model) needs an image size that is a multiple of 4 (the generator upsamples twice); got \(s)")
    }
}
