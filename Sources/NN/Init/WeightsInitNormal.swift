// The initialisation of the DCGAN-style papers as PyTorch-GAN writes it:
//   if "Conv" in classname:          normal_(weight, 0.0, 0.02)
//   elif "BatchNorm2d" in classname: normal_(weight, 1.0, 0.02); constant_(bias, 0.0)
// Used as `model.apply(weightsInitNormal)`.
import Autograd

public func weightsInitNormal(_ module: Module) {
    weightsInitNormal(module, generator: nil)
}

/// `zeroConvBias` adds the CycleGAN-family variant that also zeroes convolution biases.
public func weightsInitNormal(_ module: Module, generator: RandomGenerator?, zeroConvBias: Bool = false) {
    switch module {
    case let c as Conv2d:
        Init.normal(c.weight, mean: 0, std: 0.02, generator: generator)
        if zeroConvBias, let b = c.bias { Init.zeros(b) }
    case let c as ConvTranspose2d:
        Init.normal(c.weight, mean: 0, std: 0.02, generator: generator)
        if zeroConvBias, let b = c.bias { Init.zeros(b) }
    case let bn as BatchNorm2d:
        if let w = bn.weight { Init.normal(w, mean: 1, std: 0.02, generator: generator) }
        if let b = bn.bias { Init.zeros(b) }
    default:
        break
    }
}
