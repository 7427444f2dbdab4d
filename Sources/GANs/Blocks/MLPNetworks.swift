// The multilayer networks of gan, shared by bgan, wgan, wgan_gp, wgan_div and softmax_gan.
import Autograd
import NN

/// Latent vector -> 128 -> 256 -> 512 -> 1024 -> image, each hidden layer with batch norm
/// (eps 0.8 as the reference's positional BatchNorm1d(n, 0.8); the paper has none) and
/// LeakyReLU(0.2); tanh output.
final class GANGenerator: Module {
    let model: Sequential
    let imageShape: [Int]

    init(latentDim: Int, imageShape: [Int], generator rng: RandomGenerator) {
        var layers = mlpGeneratorBlock(latentDim, 128, normalize: false, rng)
        layers += mlpGeneratorBlock(128, 256, rng)
        layers += mlpGeneratorBlock(256, 512, rng)
        layers += mlpGeneratorBlock(512, 1024, rng)
        layers += [Linear(1024, imageShape.reduce(1, *), generator: rng), Tanh()]
        model = Sequential(layers)
        self.imageShape = imageShape
        super.init()
    }

    override func forward(_ z: Tensor) -> Tensor { model(z).reshape([z.shape[0]] + imageShape) }
}

/// Linear, batch norm (eps 0.8) unless `normalize` is false, LeakyReLU(0.2): a hidden layer
/// of gan's and cgan's generators.
func mlpGeneratorBlock(_ inFeatures: Int, _ outFeatures: Int, normalize: Bool = true, _ rng: RandomGenerator) -> [Module] {
    [Linear(inFeatures, outFeatures, generator: rng)] + (normalize ? [BatchNorm1d(outFeatures, 0.8)] : []) + [LeakyReLU(0.2)]
}

/// Image -> 512 -> 256 -> 1 with LeakyReLU(0.2), then a sigmoid probability of "real"
/// (gan, bgan) or, without it, an unbounded critic score (wgan, wgan_gp, wgan_div, softmax_gan).
final class MLPDiscriminator: Module {
    let model: Sequential

    init(imageShape: [Int], sigmoid: Bool, generator rng: RandomGenerator) {
        model = Sequential([
            Linear(imageShape.reduce(1, *), 512, generator: rng), LeakyReLU(0.2),
            Linear(512, 256, generator: rng), LeakyReLU(0.2),
            Linear(256, 1, generator: rng)] + (sigmoid ? [Sigmoid()] : []))
        super.init()
    }

    override func forward(_ image: Tensor) -> Tensor { model(image.flatten()) }
}

extension ModelParts {
    /// gan's generator and an MLP discriminator, registered as "generator" and "discriminator".
    func mlpNetworks(sigmoid: Bool) -> (GANGenerator, MLPDiscriminator) {
        (network("generator", GANGenerator(latentDim: common.latentDim, imageShape: config.imageShape, generator: weights)),
         network("discriminator", MLPDiscriminator(imageShape: config.imageShape, sigmoid: sigmoid, generator: weights)))
    }
}

/// What gan, bgan, softmax_gan, wgan_gp and wgan_div share: gan's generator against an MLP
/// discriminator, each with Adam at the run's settings, and the noise stream.
public class MLPAdversaries: ZooModel {
    let netG: GANGenerator
    let netD: MLPDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator
    /// The generator's batch norms (for n_critic models' shared generator pass).
    let generatorNorms: [BatchNorm]

    /// `noise` when the model made it first (its other streams come after it).
    init(_ parts: ModelParts, noise: RandomGenerator? = nil, sigmoid: Bool) {
        self.noise = noise ?? parts.stream("noise")
        (netG, netD) = parts.mlpNetworks(sigmoid: sigmoid)
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        generatorNorms = batchNorms(of: netG)
        super.init(parts)
    }
}
