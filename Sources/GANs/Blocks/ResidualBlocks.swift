// Residual blocks x + f(x) with two 3x3 convolutions, as the reference copies them into
// cyclegan, munit, unit, stargan, pixelda and srgan, and the ResNet generators of
// cyclegan and stargan built from them.
import Autograd
import NN

/// How a residual block keeps the size through its 3x3 convs.
public enum ResidualPadding: Sendable, Equatable {
    /// `ReflectionPad2d(1)` before each unpadded conv (cyclegan, munit, unit).
    case reflection
    /// The convs' own zero padding 1 (stargan, pixelda, srgan).
    case zeros
}

/// `x + block(x)`, block = [pad, conv3, norm, activation, pad, conv3, norm]. Defaults are
/// cyclegan's `Res(C)`: reflection padding, IN, ReLU, convs with bias (munit and unit the
/// same, unit naming the Sequential `conv_block`). stargan: zero padding, bias-free convs,
/// IN-a-rs. pixelda: zero padding, BatchNorm (eps 1e-5). srgan: zero padding, BN.8, PReLU.
public final class ResidualBlock: Module {
    public let block: Sequential
    /// The Sequential's state-dict name: "block" (cyclegan, munit, pixelda) or
    /// "conv_block" (unit, stargan, srgan).
    public let blockName: String

    public init(_ channels: Int, padding: ResidualPadding = .reflection, norm: ImageNorm = .instance,
                activation: ImageActivation = .relu, bias: Bool = true, blockName: String = "block",
                generator rng: RandomGenerator? = nil) {
        func conv() -> [Module] {
            switch padding {
            case .reflection:
                [ReflectionPad2d(1), Conv2d(channels, channels, kernelSize: 3, bias: bias, generator: rng)]
            case .zeros:
                [Conv2d(channels, channels, kernelSize: 3, stride: 1, padding: 1, bias: bias, generator: rng)]
            }
        }
        var layers = conv()
        if let n = norm.layer(channels) { layers.append(n) }
        layers.append(activation.layer())
        layers += conv()
        if let n = norm.layer(channels) { layers.append(n) }
        block = Sequential(layers)
        self.blockName = blockName
        super.init()
    }

    override public func stateName(forProperty name: String) -> String {
        name == "block" ? blockName : super.stateName(forProperty: name)
    }

    override public func forward(_ input: Tensor) -> Tensor { input + block(input) }

    /// cyclegan's, munit's (with IN) and unit's (`conv_block`) block.
    public static func cyclegan(_ channels: Int, blockName: String = "block", generator rng: RandomGenerator? = nil) -> ResidualBlock {
        ResidualBlock(channels, blockName: blockName, generator: rng)
    }

    public static func stargan(_ channels: Int, generator rng: RandomGenerator? = nil) -> ResidualBlock {
        ResidualBlock(channels, padding: .zeros, norm: .instanceAffineRunningStats, bias: false, blockName: "conv_block", generator: rng)
    }

    public static func pixelda(_ channels: Int = 64, generator rng: RandomGenerator? = nil) -> ResidualBlock {
        ResidualBlock(channels, padding: .zeros, norm: .batchNorm, generator: rng)
    }

    public static func srgan(_ channels: Int = 64, generator rng: RandomGenerator? = nil) -> ResidualBlock {
        ResidualBlock(channels, padding: .zeros, norm: .batch(eps: 0.8), activation: .prelu, blockName: "conv_block", generator: rng)
    }
}

/// The image-to-image ResNet generator, one Sequential `model`: a 7x7 stem to 64
/// channels, two stride-2 downsamplings to 256, residual blocks, two upsamplings back to
/// 64, a 7x7 conv to the output and Tanh; every hidden conv followed by norm and ReLU.
/// - cyclegan (`GeneratorResNet`, 9 blocks): reflection padding by `inChannels` around
///   the 7x7 convs (as the reference; 3 for RGB), convs with bias, IN, conv 3/2/1 down,
///   nearest Upsample + conv 3/1/1 up, `Res(C)` blocks named `block`.
/// - stargan (`GeneratorResNet`, 6 blocks at its default; input = image + tiled labels):
///   zero-padded 7x7 convs, bias-free hidden convs, IN-a-rs, conv 4/2/1 down, transposed
///   conv 4/2/1 up, stargan residual blocks; the last conv keeps its bias.
public final class ResNetGenerator: Module {
    public enum Style: Sendable { case cyclegan, stargan }

    public let model: Sequential

    public init(style: Style, inChannels: Int = 3, outChannels: Int = 3, residualBlocks: Int,
                generator rng: RandomGenerator? = nil) {
        let cycle = style == .cyclegan
        let norm: ImageNorm = cycle ? .instance : .instanceAffineRunningStats
        let bias = cycle
        func normReLU(_ c: Int) -> [Module] { [norm.layer(c)!, ReLU()] }

        var layers: [Module] = cycle
            ? [ReflectionPad2d(Padding2d(integerLiteral: inChannels)), Conv2d(inChannels, 64, kernelSize: 7, generator: rng)]
            : [Conv2d(inChannels, 64, kernelSize: 7, stride: 1, padding: 3, bias: false, generator: rng)]
        layers += normReLU(64)
        var c = 64
        for _ in 0..<2 {
            layers.append(Conv2d(c, c * 2, kernelSize: Pair(cycle ? 3 : 4), stride: 2, padding: 1, bias: bias, generator: rng))
            c *= 2
            layers += normReLU(c)
        }
        for _ in 0..<residualBlocks {
            layers.append(cycle ? ResidualBlock.cyclegan(c, generator: rng) : ResidualBlock.stargan(c, generator: rng))
        }
        for _ in 0..<2 {
            if cycle {
                layers += [Upsample(scaleFactor: 2), Conv2d(c, c / 2, kernelSize: 3, stride: 1, padding: 1, generator: rng)]
            } else {
                layers.append(ConvTranspose2d(c, c / 2, kernelSize: 4, stride: 2, padding: 1, bias: false, generator: rng))
            }
            c /= 2
            layers += normReLU(c)
        }
        layers += cycle
            ? [ReflectionPad2d(Padding2d(integerLiteral: inChannels)), Conv2d(c, outChannels, kernelSize: 7, generator: rng)]
            : [Conv2d(c, outChannels, kernelSize: 7, stride: 1, padding: 3, generator: rng)]
        layers.append(Tanh())
        model = Sequential(layers)
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor { model(input) }
}
