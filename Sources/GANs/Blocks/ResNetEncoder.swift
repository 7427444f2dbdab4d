// The first layers of torchvision's ResNet-18 (He et al., 2015), as bicyclegan's encoder
// takes them: `resnet18().children()[:-3]`, i.e. the stem and layer1-layer3.
import Autograd
import NN

/// torchvision's `BasicBlock`: conv 3x3 (stride s), BN, ReLU, conv 3x3, BN, plus the input
/// (through `downsample`, conv 1x1 stride s + BN, where the shape changes), then ReLU. Bias-free convs.
public final class ResNetBasicBlock: Module {
    let conv1: Conv2d
    let bn1: BatchNorm2d
    let conv2: Conv2d
    let bn2: BatchNorm2d
    let downsample: Sequential?

    public init(_ inChannels: Int, _ outChannels: Int, stride: Int, generator rng: RandomGenerator? = nil) {
        conv1 = Conv2d(inChannels, outChannels, kernelSize: 3, stride: Pair(stride), padding: 1, bias: false, generator: rng)
        bn1 = BatchNorm2d(outChannels)
        conv2 = Conv2d(outChannels, outChannels, kernelSize: 3, stride: 1, padding: 1, bias: false, generator: rng)
        bn2 = BatchNorm2d(outChannels)
        downsample = stride != 1 || inChannels != outChannels
            ? Sequential(Conv2d(inChannels, outChannels, kernelSize: 1, stride: Pair(stride), bias: false, generator: rng), BatchNorm2d(outChannels))
            : nil
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor {
        let out = bn2(conv2(bn1(conv1(input)).relu()))
        return (out + (downsample?(input) ?? input)).relu()
    }
}

/// One Sequential: conv 7x7/2 3 -> 64 (bias-free), BN, ReLU, max-pool 3/2/1, then layer1 (64),
/// layer2 (128, stride 2), layer3 (256, stride 2) of two basic blocks each: [N, 256, H/16, W/16].
/// Initialised as torchvision: convs Kaiming-normal (fan out, ReLU gain), batch norms 1 and 0.
public func resnet18Features(inChannels: Int = 3, generator rng: RandomGenerator? = nil) -> Sequential {
    func layer(_ inChannels: Int, _ outChannels: Int, stride: Int) -> Sequential {
        Sequential(ResNetBasicBlock(inChannels, outChannels, stride: stride, generator: rng),
                   ResNetBasicBlock(outChannels, outChannels, stride: 1, generator: rng))
    }
    let features = Sequential(Conv2d(inChannels, 64, kernelSize: 7, stride: 2, padding: 3, bias: false, generator: rng),
                              BatchNorm2d(64), ReLU(), MaxPool2d(3, stride: 2, padding: 1),
                              layer(64, 64, stride: 1), layer(64, 128, stride: 2), layer(128, 256, stride: 2))
    for case let conv as Conv2d in features.modules() {
        Init.kaimingNormal(conv.weight, mode: .fanOut, nonlinearity: .relu, generator: rng)
    }
    return features
}
