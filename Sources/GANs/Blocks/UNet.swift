// The U-Net generators of pix2pix, discogan, dualgan, ccgan and bicyclegan: a stack of
// stride-2 down blocks, a mirror stack of up blocks that each concatenate the matching
// down block's output, and a final layer back to image size. The reference copies the
// two block classes into each model with small differences; here they are options.
import Autograd
import NN

/// One encoder level, `UNetDown` in the reference: conv stride 2 (kernel 4, padding 1;
/// bicyclegan kernel 3), optional norm, LeakyReLU(0.2), optional dropout, all in `model`.
/// Convs are bias-free except in discogan; the norm is IN (pix2pix, discogan), IN-a
/// (dualgan) or BN.8 (ccgan, bicyclegan); the outermost and innermost levels have none.
public final class UNetDown: Module {
    public let model: Sequential

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int = 4, bias: Bool = false,
                norm: ImageNorm = .instance, activation: ImageActivation = .leakyReLU(0.2), dropout: Float = 0,
                generator rng: RandomGenerator? = nil, dropoutGenerator: RandomGenerator? = nil) {
        var layers: [Module] = [Conv2d(inChannels, outChannels, kernelSize: Pair(kernelSize), stride: 2, padding: 1,
                                       bias: bias, generator: rng)]
        if let n = norm.layer(outChannels) { layers.append(n) }
        layers.append(activation.layer())
        // As the reference: the layer exists only for a non-zero rate (it shifts the indices).
        if dropout > 0 { layers.append(Dropout(dropout, generator: dropoutGenerator)) }
        model = Sequential(layers)
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor { model(input) }
}

/// How an up block doubles the resolution.
public enum UNetUpsampling: Sendable, Equatable {
    /// `ConvTranspose2d(in, out, 4, 2, 1)` (pix2pix, discogan, dualgan, ccgan).
    case transposedConv
    /// `Upsample(2)` (nearest) then `Conv2d(in, out, 3, 1, 1)` (bicyclegan).
    case nearestConv
}

/// One decoder level, `UNetUp` in the reference: upsampling conv, norm, ReLU, optional
/// dropout in `model`; then the skip input is concatenated on the channels.
public final class UNetUp: Module {
    public let model: Sequential

    public init(_ inChannels: Int, _ outChannels: Int, upsampling: UNetUpsampling = .transposedConv, bias: Bool = false,
                norm: ImageNorm = .instance, activation: ImageActivation = .relu, dropout: Float = 0,
                generator rng: RandomGenerator? = nil, dropoutGenerator: RandomGenerator? = nil) {
        var layers: [Module]
        switch upsampling {
        case .transposedConv:
            layers = [ConvTranspose2d(inChannels, outChannels, kernelSize: 4, stride: 2, padding: 1, bias: bias, generator: rng)]
        case .nearestConv:
            layers = [Upsample(scaleFactor: 2),
                      Conv2d(inChannels, outChannels, kernelSize: 3, stride: 1, padding: 1, bias: bias, generator: rng)]
        }
        if let n = norm.layer(outChannels) { layers.append(n) }
        layers.append(activation.layer())
        if dropout > 0 { layers.append(Dropout(dropout, generator: dropoutGenerator)) }
        model = Sequential(layers)
        super.init()
    }

    /// `cat(model(x), skip)` along the channels (the reference's `forward(x, skip_input)`).
    public func callAsFunction(_ x: Tensor, _ skip: Tensor) -> Tensor { Tensor.concat([model(x), skip], dim: 1) }
}

/// The layer after the last up block; always with bias and followed by Tanh.
public enum UNetFinal: Sendable, Equatable {
    /// `Upsample(2)`, `ZeroPad2d((1, 0, 1, 0))`, `Conv2d(C, out, 4, padding=1)` (pix2pix, discogan).
    case nearestZeroPadConv4
    /// `Upsample(2)`, `Conv2d(C, out, 3, 1, 1)` (ccgan, bicyclegan).
    case nearestConv3
    /// `ConvTranspose2d(C, out, 4, 2, 1)` (dualgan).
    case transposedConv4
}

/// What varies between the reference's U-Net generators. `widths` are the down levels'
/// output channels, outermost first; up level k outputs the width of down level
/// (levels - k), so the decoder mirrors the encoder. Levels are numbered from 1 as the
/// reference's `down1`, `up1`.
public struct UNetConfig: Sendable {
    public var inChannels: Int
    public var outChannels: Int
    public var widths: [Int]
    public var downKernelSize = 4
    public var upsampling = UNetUpsampling.transposedConv
    public var bias = false
    public var norm = ImageNorm.instance
    /// Down levels without norm: the outermost and the innermost in every reference U-Net
    /// (the innermost is 1x1 at the default size, where instance norm would zero it).
    public var unnormalizedDownLevels: Set<Int>
    public var downDropoutLevels: Set<Int> = []
    public var upDropoutLevels: Set<Int> = []
    public var dropout: Float = 0.5
    public var final = UNetFinal.nearestZeroPadConv4
    /// An extra input concatenated to a down level's output before the next level (and in
    /// its skip): ccgan's low-resolution image after level 2. Zero channels: none.
    public var injectionLevel = 0
    public var injectionChannels = 0

    public init(inChannels: Int, outChannels: Int, widths: [Int]) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.widths = widths
        unnormalizedDownLevels = [1, widths.count]
    }

    /// pix2pix's `GeneratorUNet`: 8 levels (256 px down to 1x1), bias-free convs, IN,
    /// dropout in down levels 4-8 and up levels 1-4, final nearest + ZeroPad + conv 4.
    public static func pix2pix(inChannels: Int = 3, outChannels: Int = 3) -> UNetConfig {
        var c = UNetConfig(inChannels: inChannels, outChannels: outChannels, widths: [64, 128, 256, 512, 512, 512, 512, 512])
        c.downDropoutLevels = [4, 5, 6, 7, 8]
        c.upDropoutLevels = [1, 2, 3, 4]
        return c
    }

    /// discogan's `GeneratorUNet`: 6 levels (64 px), convs with bias, IN, dropout in down
    /// levels 3-6 and up levels 1-3, final as pix2pix.
    public static func discogan(channels: Int = 3) -> UNetConfig {
        var c = UNetConfig(inChannels: channels, outChannels: channels, widths: [64, 128, 256, 512, 512, 512])
        c.bias = true
        c.downDropoutLevels = [3, 4, 5, 6]
        c.upDropoutLevels = [1, 2, 3]
        return c
    }

    /// dualgan's `Generator`: 7 levels (128 px), bias-free convs, affine IN, dropout in down
    /// levels 4-7 and up levels 1-3, final transposed conv.
    public static func dualgan(channels: Int = 3) -> UNetConfig {
        var c = UNetConfig(inChannels: channels, outChannels: channels, widths: [64, 128, 256, 512, 512, 512, 512])
        c.norm = .instanceAffine
        c.downDropoutLevels = [4, 5, 6, 7]
        c.upDropoutLevels = [1, 2, 3]
        c.final = .transposedConv4
        return c
    }

    /// ccgan's `Generator`: 6 levels (128 px), bias-free convs, BN.8, the low-resolution
    /// image (`channels`) concatenated after level 2, dropout in down levels 3-6 and up
    /// levels 1-3, final nearest + conv 3. Its innermost level is normalised (2x2 there).
    public static func ccgan(channels: Int = 3) -> UNetConfig {
        var c = UNetConfig(inChannels: channels, outChannels: channels, widths: [64, 128, 256, 512, 512, 512])
        c.norm = .batch(eps: 0.8)
        c.unnormalizedDownLevels = [1]
        c.downDropoutLevels = [3, 4, 5, 6]
        c.upDropoutLevels = [1, 2, 3]
        c.final = .nearestConv3
        c.injectionLevel = 2
        c.injectionChannels = channels
        return c
    }

    /// bicyclegan's `Generator` without its `fc` (the latent map is one extra input
    /// channel): 7 levels (128 px), conv 3/2/1 down, nearest + conv 3 up, bias-free, BN.8,
    /// no dropout, final nearest + conv 3.
    public static func bicyclegan(channels: Int = 3) -> UNetConfig {
        var c = UNetConfig(inChannels: channels + 1, outChannels: channels, widths: [64, 128, 256, 512, 512, 512, 512])
        c.downKernelSize = 3
        c.upsampling = .nearestConv
        c.norm = .batch(eps: 0.8)
        c.final = .nearestConv3
        return c
    }
}

/// A U-Net generator with the reference's child names: `down1`...`downN`,
/// `up1`...`up(N-1)`, `final` (a Sequential ending in Tanh). A model with more children
/// (bicyclegan's `fc` first) lists its own and then these in its `namedChildren`.
public final class UNetGenerator: Module {
    public let config: UNetConfig
    public let downs: [UNetDown]
    public let ups: [UNetUp]
    public let final: Sequential

    /// `generator` draws the initial weights, `dropoutGenerator` the dropout masks (both
    /// default to the shared generator).
    public init(_ config: UNetConfig, generator rng: RandomGenerator? = nil, dropoutGenerator: RandomGenerator? = nil) {
        let w = config.widths, levels = w.count
        precondition(levels >= 2, "UNetGenerator: needs at least two levels, got \(levels)")
        precondition(config.injectionChannels == 0 || (1..<levels).contains(config.injectionLevel),
                     "UNetGenerator: injection after level \(config.injectionLevel) of \(levels)")
        self.config = config
        // Channels each down level hands on (its skip too), with the injection counted.
        var skipChannels = w
        if config.injectionChannels > 0 { skipChannels[config.injectionLevel - 1] += config.injectionChannels }
        var downs: [UNetDown] = []
        for level in 1...levels {
            downs.append(UNetDown(level == 1 ? config.inChannels : skipChannels[level - 2], w[level - 1],
                                  kernelSize: config.downKernelSize, bias: config.bias,
                                  norm: config.unnormalizedDownLevels.contains(level) ? .none : config.norm,
                                  dropout: config.downDropoutLevels.contains(level) ? config.dropout : 0, generator: rng,
                                  dropoutGenerator: dropoutGenerator))
        }
        var ups: [UNetUp] = []
        var channels = skipChannels[levels - 1]
        for level in 1..<levels {
            let mirror = levels - level  // the down level whose output is concatenated
            ups.append(UNetUp(channels, w[mirror - 1], upsampling: config.upsampling, bias: config.bias, norm: config.norm,
                              dropout: config.upDropoutLevels.contains(level) ? config.dropout : 0, generator: rng,
                              dropoutGenerator: dropoutGenerator))
            channels = w[mirror - 1] + skipChannels[mirror - 1]
        }
        let out = config.outChannels
        switch config.final {
        case .nearestZeroPadConv4:
            final = Sequential(Upsample(scaleFactor: 2), ZeroPad2d(Padding2d(left: 1, right: 0, top: 1, bottom: 0)),
                               Conv2d(channels, out, kernelSize: 4, padding: 1, generator: rng), Tanh())
        case .nearestConv3:
            final = Sequential(Upsample(scaleFactor: 2), Conv2d(channels, out, kernelSize: 3, stride: 1, padding: 1, generator: rng), Tanh())
        case .transposedConv4:
            final = Sequential(ConvTranspose2d(channels, out, kernelSize: 4, stride: 2, padding: 1, generator: rng), Tanh())
        }
        self.downs = downs
        self.ups = ups
        super.init()
    }

    override public var namedChildren: [(name: String, module: Module)] {
        downs.enumerated().map { (name: "down\($0.offset + 1)", module: $0.element as Module) }
            + ups.enumerated().map { (name: "up\($0.offset + 1)", module: $0.element as Module) }
            + [(name: "final", module: final as Module)]
    }

    /// The image size must be divisible by 2^levels (1x1 at the innermost level).
    override public func forward(_ input: Tensor) -> Tensor {
        precondition(config.injectionChannels == 0, "UNetGenerator: this U-Net takes a second input; call it with (x, injected)")
        return run(input, injected: nil)
    }

    /// A U-Net with an injected input (ccgan: the low-resolution image, at the size of
    /// the injection level's output).
    public func callAsFunction(_ input: Tensor, _ injected: Tensor) -> Tensor {
        precondition(config.injectionChannels > 0, "UNetGenerator: this U-Net takes one input")
        return run(input, injected: injected)
    }

    private func run(_ input: Tensor, injected: Tensor?) -> Tensor {
        var skips: [Tensor] = []
        var h = input
        for (i, down) in downs.enumerated() {
            h = down(h)
            if let extra = injected, i + 1 == config.injectionLevel { h = Tensor.concat([h, extra], dim: 1) }
            skips.append(h)
        }
        var u = skips.removeLast()
        for up in ups { u = up(u, skips.removeLast()) }
        return final(u)
    }
}
