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
        func block(_ inFeatures: Int, _ outFeatures: Int, normalize: Bool = true) -> [Module] {
            var layers: [Module] = [Linear(inFeatures, outFeatures, generator: rng)]
            if normalize { layers.append(BatchNorm1d(outFeatures, 0.8)) }
            layers.append(LeakyReLU(0.2))
            return layers
        }
        var layers = block(latentDim, 128, normalize: false)
        layers += block(128, 256)
        layers += block(256, 512)
        layers += block(512, 1024)
        layers += [Linear(1024, imageShape.reduce(1, *), generator: rng), Tanh()]
        model = Sequential(layers)
        self.imageShape = imageShape
        super.init()
    }

    override func forward(_ z: Tensor) -> Tensor { model(z).reshape([z.shape[0]] + imageShape) }
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
