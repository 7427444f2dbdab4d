// The choices in which the reference's copies of the same image block differ: which
// normalisation follows a convolution and which activation follows that. Named after
// image-zoo-reference.md's notation (IN, IN-a, IN-a-rs, BN, BN.8).
import Autograd
import NN

/// The normalisation layer after a convolution in an image block.
public enum ImageNorm: Sendable, Equatable {
    case none
    /// `InstanceNorm2d(C)`: no affine, no running statistics (pix2pix, cyclegan, discogan, unit).
    case instance
    /// `InstanceNorm2d(C, affine=True)` (dualgan).
    case instanceAffine
    /// `InstanceNorm2d(C, affine=True, track_running_stats=True)` (stargan): its state dict
    /// holds running_mean, running_var and num_batches_tracked as well.
    case instanceAffineRunningStats
    /// `BatchNorm2d(C, eps)`: eps 0.8 where the reference writes `BatchNorm2d(C, 0.8)`.
    case batch(eps: Float)
    /// munit's `AdaptiveInstanceNorm2d`: instance norm with a per-sample scale and shift set
    /// from a style code.
    case adaptiveInstance

    /// PyTorch's default `BatchNorm2d(C)`.
    public static let batchNorm = ImageNorm.batch(eps: 1e-5)

    /// The layer for `channels` feature maps, nil for `.none`.
    public func layer(_ channels: Int) -> Module? {
        switch self {
        case .none: nil
        case .instance: InstanceNorm2d(channels)
        case .instanceAffine: InstanceNorm2d(channels, affine: true)
        case .instanceAffineRunningStats: InstanceNorm2d(channels, affine: true, trackRunningStats: true)
        case .batch(let eps): BatchNorm2d(channels, eps)
        case .adaptiveInstance: AdaptiveInstanceNorm2d(channels)
        }
    }
}

/// The activation after the normalisation.
public enum ImageActivation: Sendable, Equatable {
    case relu
    case leakyReLU(Float)
    /// `nn.PReLU()`: one learned slope shared by all channels (srgan), a parameter `weight`.
    case prelu

    public func layer() -> Module {
        switch self {
        case .relu: ReLU()
        case .leakyReLU(let slope): LeakyReLU(slope)
        case .prelu: PReLU()
        }
    }
}
