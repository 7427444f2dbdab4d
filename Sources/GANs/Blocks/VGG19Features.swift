// The perceptual losses of srgan and esrgan compare images by the feature maps of an
// ImageNet-trained VGG19 (Simonyan and Zisserman, 2014). The weights cannot be trained
// here; the user gives torchvision's, saved as safetensors (see docs/MODELS.md).
import Autograd
import Foundation
import NN

/// torchvision's `vgg19().features` up to (not including) layer `layers`, in the Sequential
/// `features`, so torchvision's state-dict names (`features.0.weight`, ...) load as they are.
/// Layer indices: conv k at even positions of each stage, its ReLU after it, max pools at
/// 4, 9, 18, 27, 36; the cut points the zoo uses are named below.
public final class VGG19Features: Module {
    /// torchvision's configuration "E": output channels of each conv, nil for a 2x2 max pool.
    public static let configuration: [Int?] = [64, 64, nil, 128, 128, nil, 256, 256, 256, 256, nil,
                                               512, 512, 512, 512, nil, 512, 512, 512, 512, nil]
    /// Through the ReLU after conv3_4 (the srgan reference's `features[:18]`).
    public static let relu3_4 = 18
    /// Through conv5_4, before its ReLU (esrgan, as its paper: `features[:35]`).
    public static let conv5_4 = 35
    /// Through the ReLU after conv5_4 (the SRGAN paper's VGG54: `features[:36]`).
    public static let relu5_4 = 36

    public let features: Sequential

    public init(layers: Int, generator rng: RandomGenerator? = nil) {
        var all: [Module] = []
        var c = 3
        for width in Self.configuration {
            if let width {
                all += [Conv2d(c, width, kernelSize: 3, stride: 1, padding: 1, generator: rng), ReLU()]
                c = width
            } else {
                all.append(MaxPool2d(2, stride: 2))
            }
        }
        precondition((1...all.count).contains(layers), "VGG19Features: \(layers) layers of \(all.count)")
        features = Sequential(Array(all.prefix(layers)))
        super.init()
    }

    override public func forward(_ input: Tensor) -> Tensor { features(input) }

    /// The first `layers` layers with the weights of a safetensors file holding torchvision's
    /// VGG19 state dict (any other tensors in it are ignored), frozen and in evaluation mode.
    /// Throws one sentence naming the file when it is missing or lacks a needed tensor.
    public static func load(_ path: String, layers: Int) throws(ConfigError) -> VGG19Features {
        let net = VGG19Features(layers: layers, generator: RandomGenerator(seed: 0))
        let names = net.stateDict().names, needed = Set(names)
        let dict: StateDict
        do {
            dict = try SafeTensors.read(path, including: { needed.contains($0) })
        } catch {
            throw ConfigError("--vgg19 \(path): \(error.description)")
        }
        let missing = names.filter { !dict.contains($0) }
        guard missing.isEmpty else {
            throw ConfigError("--vgg19 \(path) is not torchvision's VGG19: it lacks \(missing.prefix(3).joined(separator: ", "))\(missing.count > 3 ? " and \(missing.count - 3) more" : "")")
        }
        do {
            _ = try net.loadStateDict(dict)
        } catch {
            throw ConfigError("--vgg19 \(path) is not torchvision's VGG19: \(error.mismatch)")
        }
        net.freeze()
        net.eval()
        return net
    }

    /// The sentence a run without weights stops with.
    public static func missingWeights(model: String) -> ConfigError {
        ConfigError("\(model)'s perceptual loss needs ImageNet-trained VGG19 weights, which cannot be downloaded here: give --vgg19 FILE, torchvision's vgg19 state dict saved as safetensors (docs/MODELS.md shows the three lines that make one), or train with --content-loss pixel")
    }
}

/// The perceptual loss of srgan and esrgan: L1 between VGG19 features of an output and of
/// its target (the target's computed without a graph). `toVGGInput` maps the data's
/// normalisation to the ImageNet one VGG19 was trained on.
public struct PerceptualLoss {
    public let features: VGG19Features
    public let toVGGInput: (Tensor) -> Tensor

    public func callAsFunction(_ output: Tensor, _ target: Tensor) -> Tensor {
        let targetFeatures = withoutGrad { features(toVGGInput(target)) }
        return l1Loss(features(toVGGInput(output)), targetFeatures)
    }

    /// The loss on features of `layers` layers with the weights of `config.files["vgg19"]`,
    /// or the sentence saying what is missing.
    public static func load(_ config: ModelConfig, model: String, layers: Int, from normalization: PixelNormalization) throws(ConfigError) -> PerceptualLoss {
        guard let path = config.files["vgg19"] else { throw VGG19Features.missingWeights(model: model) }
        let features = try VGG19Features.load(path, layers: layers)
        guard normalization != .imagenet else { return PerceptualLoss(features: features, toVGGInput: { $0 }) }
        // x in [-1, 1] -> ((x + 1) / 2 - mean) / std, per channel.
        let imagenet = PixelNormalization.imagenet
        let scale = Tensor(shape: [1, 3, 1, 1], scalars: imagenet.std.map { 0.5 / $0 })
        let shift = Tensor(shape: [1, 3, 1, 1], scalars: zip(imagenet.mean, imagenet.std).map { (0.5 - $0) / $1 })
        return PerceptualLoss(features: features, toVGGInput: { $0 * scale + shift })
    }
}
