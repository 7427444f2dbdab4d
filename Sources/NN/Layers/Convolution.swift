// nn.Conv2d and nn.ConvTranspose2d with PyTorch's weight layouts and default init.
import Autograd

public final class Conv2d: Module {
    /// [out, in / groups, kh, kw]
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?
    public let stride: Pair, padding: Pair, dilation: Pair
    public let groups: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Pair, stride: Pair = 1, padding: Pair = 0,
                dilation: Pair = 1, groups: Int = 1, bias: Bool = true, generator: RandomGenerator? = nil) {
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: channels \(inChannels) -> \(outChannels) must be divisible by groups \(groups)")
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        weight = Tensor.zeros([outChannels, inChannels / groups, kernelSize.h, kernelSize.w])
        self.bias = bias ? Tensor.zeros([outChannels]) : nil
        super.init()
        Init.defaultLayer(weight: weight, bias: self.bias, generator: generator)
    }

    override public func forward(_ input: Tensor) -> Tensor {
        conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    /// forward(pad2d(upsample(input, scaleFactor: 2), extra)) computed at input's resolution
    /// (conv2dOfNearestUpsampled); nil where that does not fold or saves nothing.
    func forward(nearestUpsampled input: Tensor, extra: Padding2d) -> Tensor? {
        guard stride == 1, dilation == 1, groups == 1 else { return nil }
        return conv2dOfNearestUpsampled(input, weight: weight, bias: bias, left: extra.left + padding.w,
                                        right: extra.right + padding.w, top: extra.top + padding.h,
                                        bottom: extra.bottom + padding.h)
    }
}

public final class ConvTranspose2d: Module {
    /// [in, out / groups, kh, kw] (PyTorch's layout for transposed convolutions)
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?
    public let stride: Pair, padding: Pair, outputPadding: Pair, dilation: Pair
    public let groups: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Pair, stride: Pair = 1, padding: Pair = 0,
                outputPadding: Pair = 0, groups: Int = 1, bias: Bool = true, dilation: Pair = 1,
                generator: RandomGenerator? = nil) {
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "ConvTranspose2d: channels \(inChannels) -> \(outChannels) must be divisible by groups \(groups)")
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
        self.groups = groups
        weight = Tensor.zeros([inChannels, outChannels / groups, kernelSize.h, kernelSize.w])
        self.bias = bias ? Tensor.zeros([outChannels]) : nil
        super.init()
        Init.defaultLayer(weight: weight, bias: self.bias, generator: generator)
    }

    override public func forward(_ input: Tensor) -> Tensor {
        convTranspose2d(input, weight: weight, bias: bias, stride: stride, padding: padding,
                        outputPadding: outputPadding, groups: groups, dilation: dilation)
    }
}
