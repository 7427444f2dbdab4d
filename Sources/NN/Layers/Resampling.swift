// Layers that change spatial size: upsampling, padding, pooling, pixel shuffle.
import Autograd

public final class Upsample: Module {
    public let scaleFactor: Int
    public let mode: UpsampleMode
    /// Bilinear uses align_corners=False, PyTorch's default.
    public init(scaleFactor: Int, mode: UpsampleMode = .nearest) {
        self.scaleFactor = scaleFactor
        self.mode = mode
        super.init()
    }
    override public func forward(_ input: Tensor) -> Tensor { upsample(input, scaleFactor: scaleFactor, mode: mode) }
}

/// Padding (left, right, top, bottom), as nn.ZeroPad2d's 4-tuple.
public struct Padding2d: Sendable, Equatable, ExpressibleByIntegerLiteral {
    public var left, right, top, bottom: Int
    public init(left: Int, right: Int, top: Int, bottom: Int) {
        self.left = left
        self.right = right
        self.top = top
        self.bottom = bottom
    }
    public init(integerLiteral value: Int) { self.init(left: value, right: value, top: value, bottom: value) }
}

public final class ZeroPad2d: Module {
    public let padding: Padding2d
    public init(_ padding: Padding2d) {
        self.padding = padding
        super.init()
    }
    override public func forward(_ input: Tensor) -> Tensor {
        pad2d(input, left: padding.left, right: padding.right, top: padding.top, bottom: padding.bottom, mode: .zeros)
    }
}

public final class ReflectionPad2d: Module {
    public let padding: Padding2d
    public init(_ padding: Padding2d) {
        self.padding = padding
        super.init()
    }
    override public func forward(_ input: Tensor) -> Tensor {
        pad2d(input, left: padding.left, right: padding.right, top: padding.top, bottom: padding.bottom, mode: .reflect)
    }
}

public final class MaxPool2d: Module {
    public let kernelSize: Pair, stride: Pair?, padding: Pair
    /// Stride defaults to the kernel size, as PyTorch.
    public init(_ kernelSize: Pair, stride: Pair? = nil, padding: Pair = 0) {
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        super.init()
    }
    override public func forward(_ input: Tensor) -> Tensor { maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding) }
}

public final class AvgPool2d: Module {
    public let kernelSize: Pair, stride: Pair?, padding: Pair
    public let countIncludePad: Bool
    public init(_ kernelSize: Pair, stride: Pair? = nil, padding: Pair = 0, countIncludePad: Bool = true) {
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.countIncludePad = countIncludePad
        super.init()
    }
    override public func forward(_ input: Tensor) -> Tensor {
        avgPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad)
    }
}

public final class PixelShuffle: Module {
    public let upscaleFactor: Int
    public init(_ upscaleFactor: Int) {
        self.upscaleFactor = upscaleFactor
        super.init()
    }
    override public func forward(_ input: Tensor) -> Tensor { pixelShuffle(input, upscaleFactor: upscaleFactor) }
}
