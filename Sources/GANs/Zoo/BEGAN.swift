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
        set { k!.storage.pointer[0] = newValue }
    }
}

/// dcgan's generator (latent 62) against the autoencoder: D minimises L(x) - k L(G(z)),
/// G minimises L(G(z)), with L the mean absolute reconstruction error; k follows
/// k += lambda_k (gamma L(x) - L(G(z))), clamped to [0, 1]. Logs M = L(x) + |gamma L(x) -
/// L(G(z))|, the convergence measure. The reference indexes a 0-dim tensor for M, which
/// recent PyTorch refuses; M here is the same number.
public final class BEGAN: GANModel {
    public static let info = ModelInfo(name: "began", title: "BEGAN: Boundary Equilibrium Generative Adversarial Networks",
                                       citation: "Berthelot et al., 2017, arXiv:1703.10717", architecture: .conv)
    public static var defaults: CommonOptions { var c = CommonOptions(); c.imgSize = 32; c.latentDim = 62; return c }
    public static var options: [OptionSpec] {
        [OptionSpec("gamma", .float, 0.75, "Diversity ratio: the equilibrium E[L(G(z))] = gamma E[L(x)]."),
         OptionSpec("lambda-k", .float, 0.001, "Learning rate of the equilibrium term k.")]
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        let s = config.common.imgSize
        guard s >= 4, s % 4 == 0 else {
            throw ConfigError("began needs an image size that is a multiple of 4 (the generator upsamples twice); got \(s)")
        }
        guard (0...1).contains(config.float("gamma")) else { throw ConfigError("--gamma must be in [0, 1], got \(config.float("gamma"))") }
        guard config.float("lambda-k") >= 0 else { throw ConfigError("--lambda-k must not be negative, got \(config.float("lambda-k"))") }
    }

    public let config: ModelConfig
    let netG: DCGANGenerator
    let netD: BEGANDiscriminator
    let balance = BEGANBalance()
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator
    let dParameters: [Tensor]

    public init(config: ModelConfig, seed: UInt64) {
        self.config = config
        let c = config.common
        let initRng = RandomGenerator(seed: seed &+ 1)
        netG = DCGANGenerator(latentDim: c.latentDim, channels: c.channels, imgSize: c.imgSize, generator: initRng)
        netD = BEGANDiscriminator(channels: c.channels, imgSize: c.imgSize, generator: initRng)
        // The reference re-initialises conv weights N(0, 0.02) and BatchNorm2d weights N(1, 0.02).
        netG.apply { weightsInitNormal($0, generator: initRng) }
        netD.apply { weightsInitNormal($0, generator: initRng) }
        optimizerG = adam(netG, c)
        optimizerD = adam(netD, c)
        noise = RandomGenerator(seed: seed &+ 2)
        dParameters = netD.parameters()
    }

    public var generator: Module { netG }
    public var networks: [(name: String, module: Module)] {
        [("generator", netG), ("discriminator", netD), ("balance", balance)]
    }
    public var optimizers: [(name: String, optimizer: Optimizer)] { [("optimizer_G", optimizerG), ("optimizer_D", optimizerD)] }
    public var randomStreams: [(name: String, generator: RandomGenerator)] { [("noise", noise)] }

    public func trainStep(images real: Tensor, labels: [Int], batchesDone: Int) throws -> Losses {
        let z = Tensor.normal([real.shape[0], latentDim], generator: noise)

        // Generator: make generated images easy for D to reconstruct.
        let generated = netG(z)
        let gLoss = frozen(dParameters) { (netD(generated) - generated).abs().mean() }
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

    public func sample(count: Int, labels: [Int]?, latent: Tensor?, generator rng: RandomGenerator) throws(ConfigError) -> Tensor {
        netG(try latentVectors(count, given: latent, generator: rng))
    }
}
