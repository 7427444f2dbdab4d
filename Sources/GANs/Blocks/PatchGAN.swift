// PatchGAN discriminators: stride-2 4x4 conv blocks and a last conv to one channel, so
// the output is a map of real/fake scores for overlapping patches, not one number.
import Autograd
import NN

/// The last layer of a PatchGAN discriminator (to 1 channel, stride 1).
public enum PatchHead: Sendable, Equatable {
    /// `ZeroPad2d((1, 0, 1, 0))` then `Conv2d(C, 1, 4, padding)`. padding 1 keeps the
    /// size (pix2pix without bias, cyclegan, discogan); dualgan uses padding 0 (size - 2).
    case zeroPadConv4(padding: Int, bias: Bool)
    /// `Conv2d(C, 1, 3, padding=1)` (unit).
    case conv3

    public static let standard = PatchHead.zeroPadConv4(padding: 1, bias: true)
}

/// PatchD(in; widths): per width, conv 4/2/1 (with bias), norm on all but the first block,
/// LeakyReLU(0.2); then the head; all in one Sequential `model`. Output: H / 2^blocks.
/// - pix2pix: in 6 (image and condition concatenated), widths 64..512, IN, bias-free head.
/// - cyclegan: in 3, widths 64..512, IN, standard head. unit: the same with `.conv3`.
/// - discogan: widths 64, 128, 256. dualgan: the same with BN.8 and `zeroPadConv4(0, bias)`.
public final class PatchDiscriminator: Module {
    public let model: Sequential

    public init(inChannels: Int, widths: [Int] = [64, 128, 256, 512], norm: ImageNorm = .instance,
                head: PatchHead = .standard, generator rng: RandomGenerator? = nil) {
        precondition(!widths.isEmpty, "PatchDiscriminator: needs at least one block")
        var layers: [Module] = []
        var c = inChannels
        for (i, w) in widths.enumerated() {
            layers.append(Conv2d(c, w, kernelSize: 4, stride: 2, padding: 1, generator: rng))
            if i > 0, let n = norm.layer(w) { layers.append(n) }
            layers.append(LeakyReLU(0.2))
            c = w
        }
        switch head {
        case .zeroPadConv4(let padding, let bias):
            layers += [ZeroPad2d(Padding2d(left: 1, right: 0, top: 1, bottom: 0)),
                       Conv2d(c, 1, kernelSize: 4, padding: Pair(padding), bias: bias, generator: rng)]
        case .conv3:
            layers.append(Conv2d(c, 1, kernelSize: 3, padding: 1, generator: rng))
        }
        model = Sequential(layers)
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor { model(input) }

    /// pix2pix's conditional form: the two images concatenated on the channels.
    public func callAsFunction(_ image: Tensor, _ condition: Tensor) -> Tensor {
        model(Tensor.concat([image, condition], dim: 1))
    }
}
