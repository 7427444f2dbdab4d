// The discriminators of the inpainting and super-resolution models: 3x3 conv blocks, some
// of them stride 2, and a last 3x3 conv to one channel, so the output is a map of scores
// for overlapping patches (all in one Sequential `model`).
import Autograd
import NN

/// ccgan's and context_encoder's `Discriminator`: conv 3 with stride 2, 2, 2, 1 to 64, 128,
/// 256, 512 channels, instance norm on all but the first, LeakyReLU(0.2) after each; then
/// conv 3/1/1 to 1. Output: H / 8.
public final class InpaintingDiscriminator: Module {
    public let model: Sequential

    public init(inChannels: Int = 3, generator rng: RandomGenerator? = nil) {
        var layers: [Module] = []
        var c = inChannels
        for (i, (w, stride)) in [(64, 2), (128, 2), (256, 2), (512, 1)].enumerated() {
            layers.append(Conv2d(c, w, kernelSize: 3, stride: Pair(stride), padding: 1, generator: rng))
            if i > 0 { layers.append(InstanceNorm2d(w)) }
            layers.append(LeakyReLU(0.2))
            c = w
        }
        layers.append(Conv2d(c, 1, kernelSize: 3, stride: 1, padding: 1, generator: rng))
        model = Sequential(layers)
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor { model(input) }
}

/// srgan's and esrgan's `Discriminator` (the SRGAN paper's): per width 64, 128, 256, 512 a
/// conv 3/1/1 (batch norm but in the first block), LeakyReLU(0.2), a conv 3/2/1, batch
/// norm, LeakyReLU(0.2); then conv 3/1/1 to 1. Output: H / 16, raw scores.
public final class SuperResolutionDiscriminator: Module {
    public let model: Sequential

    public init(inChannels: Int = 3, generator rng: RandomGenerator? = nil) {
        var layers: [Module] = []
        var c = inChannels
        for (i, w) in [64, 128, 256, 512].enumerated() {
            layers.append(Conv2d(c, w, kernelSize: 3, stride: 1, padding: 1, generator: rng))
            if i > 0 { layers.append(BatchNorm2d(w)) }
            layers += [LeakyReLU(0.2), Conv2d(w, w, kernelSize: 3, stride: 2, padding: 1, generator: rng), BatchNorm2d(w), LeakyReLU(0.2)]
            c = w
        }
        layers.append(Conv2d(c, 1, kernelSize: 3, stride: 1, padding: 1, generator: rng))
        model = Sequential(layers)
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor { model(input) }
}
