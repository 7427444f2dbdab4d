// y = x W^T + b with W [out, in], as nn.Linear.
import Autograd

public final class Linear: Module {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?
    public let inFeatures: Int
    public let outFeatures: Int

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: RandomGenerator? = nil) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Tensor.zeros([outFeatures, inFeatures])
        self.bias = bias ? Tensor.zeros([outFeatures]) : nil
        super.init()
        Init.defaultLayer(weight: weight, bias: self.bias, generator: generator)
    }

    override public func forward(_ input: Tensor) -> Tensor { linear(input, weight: weight, bias: bias) }
}
