// The convolutional pieces of the MNIST zoo that several references share (dcgan's
// networks, reused with other heads by lsgan, dragan, began, ebgan, relativistic_gan,
// acgan, sgan and infogan).
import Autograd
import NN

/// Optionally a batch norm, then two nearest 2x upsamplings each followed by a 3x3 conv,
/// batch norm (eps 0.8 as the reference's positional BatchNorm2d(n, 0.8); the papers intend
/// the default eps) and LeakyReLU(0.2), then a 3x3 conv to the image channels and tanh.
/// lsgan's and ebgan's references leave out the leading batch norm.
func upsamplingConvBlocks(channels: Int, leadingBatchNorm: Bool = true, generator rng: RandomGenerator) -> Sequential {
    Sequential(upsamplingLayers(leadingBatchNorm: leadingBatchNorm, generator: rng) + imageOutputLayers(channels: channels, generator: rng))
}

/// The first part of `upsamplingConvBlocks`, to the second upsampling: optionally a batch
/// norm, upsample, conv 128 -> 128, batch norm, LeakyReLU, upsample (cogan's shared layers).
func upsamplingLayers(leadingBatchNorm: Bool = true, generator rng: RandomGenerator) -> [Module] {
    (leadingBatchNorm ? [BatchNorm2d(128)] : []) + [
        Upsample(scaleFactor: 2),
        Conv2d(128, 128, kernelSize: 3, stride: 1, padding: 1, generator: rng),
        BatchNorm2d(128, 0.8),
        LeakyReLU(0.2),
        Upsample(scaleFactor: 2)]
}

/// The rest: conv 128 -> 64, batch norm, LeakyReLU, conv to the image channels, tanh (each of
/// cogan's two generator heads).
func imageOutputLayers(channels: Int, generator rng: RandomGenerator) -> [Module] {
    [Conv2d(128, 64, kernelSize: 3, stride: 1, padding: 1, generator: rng),
     BatchNorm2d(64, 0.8),
     LeakyReLU(0.2),
     Conv2d(64, channels, kernelSize: 3, stride: 1, padding: 1, generator: rng),
     Tanh()]
}

/// Four stride-2 3x3 conv blocks (16, 32, 64, 128 channels) with LeakyReLU(0.2),
/// Dropout2d(0.25) and batch norm (eps 0.8) after all but the first: dcgan's discriminator
/// body, which the references reuse with other output layers.
func downsamplingConvBlocks(channels: Int, generator rng: RandomGenerator, dropout: RandomGenerator) -> Sequential {
    func block(_ inFilters: Int, _ outFilters: Int, bn: Bool = true) -> [Module] {
        downsamplingConvBlock(inFilters, outFilters, batchNorm: bn, generator: rng, dropout: dropout)
    }
    return Sequential(block(channels, 16, bn: false) + block(16, 32) + block(32, 64) + block(64, 128))
}

/// One of those blocks: conv 3/2/1, LeakyReLU(0.2), Dropout2d(0.25), then the batch norm
/// (dcgan's order), or with `normBeforeActivation` conv, batch norm, LeakyReLU, Dropout2d
/// (cogan's).
func downsamplingConvBlock(_ inFilters: Int, _ outFilters: Int, batchNorm: Bool, normBeforeActivation: Bool = false,
                           generator rng: RandomGenerator, dropout: RandomGenerator) -> [Module] {
    let conv = Conv2d(inFilters, outFilters, kernelSize: 3, stride: 2, padding: 1, generator: rng)
    let norm: [Module] = batchNorm ? [BatchNorm2d(outFilters, 0.8)] : []
    let activation: [Module] = [LeakyReLU(0.2), Dropout2d(0.25, generator: dropout)]
    return normBeforeActivation ? [conv] + norm + activation : [conv] + activation + norm
}

/// The features `downsamplingConvBlocks` leaves for the output layers.
func downsampledFeatures(imgSize: Int) -> Int { 128 * (imgSize / 16) * (imgSize / 16) }

/// Input vector -> Linear to 128 x (size/4)^2 -> `upsamplingConvBlocks`: the generator of
/// dcgan, dragan, began and relativistic_gan, of lsgan and ebgan (no leading batch norm),
/// and of acgan, sgan and infogan (which build the input vector from labels and codes;
/// acgan and sgan declare a label embedding, sgan without using it).
final class ConvGenerator: Module {
    let labelEmb: Embedding?
    let l1: Sequential
    let convBlocks: Sequential
    let initSize: Int

    init(inputDim: Int, channels: Int, imgSize: Int, leadingBatchNorm: Bool = true, labelEmbedding classes: Int? = nil,
         generator rng: RandomGenerator) {
        initSize = imgSize / 4
        labelEmb = classes.map { Embedding($0, inputDim, generator: rng) }
        l1 = Sequential(Linear(inputDim, 128 * initSize * initSize, generator: rng))
        convBlocks = upsamplingConvBlocks(channels: channels, leadingBatchNorm: leadingBatchNorm, generator: rng)
        super.init()
    }

    override func forward(_ input: Tensor) -> Tensor {
        convBlocks(l1(input).reshape([input.shape[0], 128, initSize, initSize]))
    }
}

/// The image sizes the conv stacks take (the generator upsamples by 4, the discriminator
/// halves the size 4 times).
func validateConvImageSize(_ config: ModelConfig, model: String) throws(ConfigError) {
    let s = config.common.imgSize
    guard s >= 16, s % 16 == 0 else {
        throw ConfigError("\(model) needs an image size that is a multiple of 16 (the generator upsamples by 4, the discriminator halves it 4 times); got \(s)")
    }
}

/// The reference's re-initialisation of the DCGAN family: conv weights N(0, 0.02), batch
/// norm weights N(1, 0.02) and biases 0, on every given network.
func initializeDCGANWeights(_ networks: Module..., generator rng: RandomGenerator) {
    for network in networks { network.apply { weightsInitNormal($0, generator: rng) } }
}
