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
        model = Sequential(mlpGeneratorLayers(inputDim: latentDim, imageShape: imageShape, rng))
        self.imageShape = imageShape
        super.init()
    }

    override func forward(_ z: Tensor) -> Tensor { model(z).reshape([z.shape[0]] + imageShape) }
}

/// gan's and cgan's generator layers: input -> 128 -> 256 -> 512 -> 1024 -> the image's
/// values, each hidden layer a Linear, batch norm (eps 0.8; none on the first) and
/// LeakyReLU(0.2); tanh output.
func mlpGeneratorLayers(inputDim: Int, imageShape: [Int], _ rng: RandomGenerator) -> [Module] {
    var layers: [Module] = []
    for (i, (inFeatures, outFeatures)) in [(inputDim, 128), (128, 256), (256, 512), (512, 1024)].enumerated() {
        layers.append(Linear(inFeatures, outFeatures, generator: rng))
        if i > 0 { layers.append(BatchNorm1d(outFeatures, 0.8)) }
        layers.append(LeakyReLU(0.2))
    }
    return layers + [Linear(1024, imageShape.reduce(1, *), generator: rng), Tanh()]
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

/// What gan, bgan, softmax_gan, wgan, wgan_gp and wgan_div share: gan's generator against
/// an MLP discriminator, one optimiser each (Adam at the run's settings unless
/// `optimizer` makes another), and the noise stream.
public class MLPAdversaries: ZooModel {
    let netG: GANGenerator
    let netD: MLPDiscriminator
    let optimizerG: Optimizer
    let optimizerD: Optimizer
    let noise: RandomGenerator
    /// The generator's batch norms (for n_critic models' shared generator pass).
    let generatorNorms: [BatchNorm]

    /// `noise` when the model made it first (its other streams come after it);
    /// `optimizer(name, network)` makes and registers the optimiser of each network.
    init(_ parts: ModelParts, noise: RandomGenerator? = nil, sigmoid: Bool,
         optimizer: ((String, Module) -> Optimizer)? = nil) {
        self.noise = noise ?? parts.stream("noise")
        (netG, netD) = parts.mlpNetworks(sigmoid: sigmoid)
        let make = optimizer ?? { name, network in parts.adam(name, network) }
        optimizerG = make("optimizer_G", netG)
        optimizerD = make("optimizer_D", netD)
        generatorNorms = batchNorms(of: netG)
        super.init(parts)
    }
}
