import XCTest
@testable import Autograd

/// Finite-difference checks of every differentiable op (first order), and of the
/// gradient of the gradient for the ops the gradient penalties go through.
final class GradCheckTests: XCTestCase {
    let rng = RandomGenerator(seed: 2024)

    func testArithmetic() {
        gradCheck([randn([2, 3], rng), randn([3], rng)], "add") { $0[0] + $0[1] }
        gradCheck([randn([2, 1, 3], rng), randn([4, 1], rng)], "sub broadcast") { $0[0] - $0[1] }
        gradCheck([randn([2, 3], rng), randn([2, 1], rng)], "mul") { $0[0] * $0[1] }
        gradCheck([randn([2, 3], rng), positive([3], rng)], "div") { $0[0] / $0[1] }
        gradCheck([randn([4], rng)], "neg") { -$0[0] }
        gradCheck([randn([4], rng)], "scalar ops") { (($0[0] + 1.5) * 2 - 0.5) / 3 }
        gradCheck([positive([4], rng)], "rsub rdiv") { 2 / (5 - $0[0]) }
        gradCheck([positive([2, 3], rng), randn([3], rng)], "pow tensor") { $0[0].pow($0[1]) }
        gradCheck([randn([2, 3], rng)], "pow 3") { $0[0].pow(3) }
        gradCheck([positive([2, 3], rng)], "pow -0.5") { $0[0].pow(-0.5) }
        gradCheck([randn([2, 3], rng)], "exp") { $0[0].exp() }
        gradCheck([positive([2, 3], rng)], "log") { $0[0].log() }
        gradCheck([positive([2, 3], rng)], "log1p") { $0[0].log1p() }
        gradCheck([positive([2, 3], rng)], "sqrt") { $0[0].sqrt() }
        gradCheck([away([2, 3], rng)], "abs") { $0[0].abs() }
        gradCheck([away([3, 4], rng, lo: 0.1, hi: 1)], "clamp") { $0[0].clamp(min: -0.5, max: 0.5) }
        gradCheck([distinct([2, 3], rng), distinct([2, 3], rng) + 0.1], "maximum") { Tensor.maximum($0[0], $0[1]) }
        gradCheck([distinct([2, 3], rng), distinct([3], rng) + 0.1], "minimum") { Tensor.minimum($0[0], $0[1]) }
        let cond = Tensor(shape: [2, 3], scalars: [1, 0, 0, 1, 1, 0])
        gradCheck([randn([2, 3], rng), randn([3], rng)], "where") { Tensor.where(cond, $0[0], $0[1]) }
    }

    func testReductions() {
        gradCheck([randn([2, 3, 4], rng)], "sum") { $0[0].sum(dims: [0, 2], keepDim: true) }
        gradCheck([randn([2, 3, 4], rng)], "sum all") { $0[0].sum() }
        gradCheck([randn([2, 3, 4], rng)], "mean") { $0[0].mean(dim: 1) }
        gradCheck([randn([3, 5], rng)], "var unbiased") { $0[0].variance(dims: [1]) }
        gradCheck([randn([3, 5], rng)], "var biased") { $0[0].variance(unbiased: false) }
        gradCheck([distinct([3, 4, 2], rng)], "max") { $0[0].max(dim: 1).values }
        gradCheck([distinct([3, 4], rng)], "min") { $0[0].min(dim: 0, keepDim: true).values }
    }

    func testProducts() {
        gradCheck([randn([3, 4], rng), randn([4, 2], rng)], "matmul") { $0[0].matmul($0[1]) }
        gradCheck([randn([2, 3, 4], rng), randn([2, 4, 2], rng)], "bmm") { $0[0].matmul($0[1]) }
        gradCheck([randn([2, 3, 4], rng), randn([4, 2], rng)], "matmul broadcast") { $0[0].matmul($0[1]) }
        gradCheck([randn([2, 1, 2, 3], rng), randn([3, 3, 2], rng)], "matmul batch broadcast") { $0[0].matmul($0[1]) }
        gradCheck([randn([3, 4], rng), randn([2, 3], rng)], "matmul transposed") { Tensor.matmul($0[0], $0[1], transA: true, transB: true) }
        gradCheck([randn([3, 4], rng), randn([5, 4], rng), randn([5], rng)], "linear") { linear($0[0], weight: $0[1], bias: $0[2]) }
    }

    func testShapes() {
        gradCheck([randn([2, 6], rng)], "reshape") { $0[0].reshape([3, -1]) * Tensor.arange(0, 12).reshape([3, 4]) }
        gradCheck([randn([2, 3, 4], rng)], "flatten") { $0[0].flatten() * Tensor.arange(0, 12) }
        gradCheck([randn([2, 3, 4], rng)], "permute") { $0[0].permute([2, 0, 1]) }
        gradCheck([randn([2, 3], rng)], "transpose") { $0[0].transposed() }
        gradCheck([randn([3, 1], rng)], "squeeze unsqueeze") { $0[0].squeeze().unsqueeze(0) * Tensor.arange(1, 4) }
        gradCheck([randn([3, 1], rng)], "expand") { $0[0].expand(to: [2, 3, 4]) }
        gradCheck([randn([4, 7], rng)], "slice") { $0[0].slice(dim: 1, start: 1, end: 6, step: 2) }
        gradCheck([randn([4, 3], rng)], "index select") { $0[0].indexSelect(dim: 0, indices: [2, 0, 2]) }
        gradCheck([randn([3, 4], rng)], "gather") { $0[0].gather(dim: 1, index: Tensor(shape: [3, 2], scalars: [0, 3, 2, 2, 1, 0])) }
        gradCheck([randn([2, 3], rng), randn([2, 2], rng)], "concat") { Tensor.concat([$0[0], $0[1]], dim: 1) }
        gradCheck([randn([2, 3], rng), randn([2, 3], rng)], "stack") { Tensor.stack([$0[0], $0[1]], dim: 2) }
        gradCheck([randn([5, 2], rng)], "split") { $0[0].split(sizes: [2, 3])[1] * 2 + $0[0].split(sizes: [2, 3])[0].sum() }
        gradCheck([randn([7, 2], rng)], "chunk") { $0[0].chunk(3)[2] }
    }

    func testActivations() {
        gradCheck([away([2, 3], rng)], "relu") { $0[0].relu() }
        gradCheck([away([2, 3], rng)], "leaky relu") { $0[0].leakyRelu(0.2) }
        gradCheck([away([2, 3], rng)], "elu") { $0[0].elu(alpha: 0.7) }
        gradCheck([away([2, 3, 2], rng), Tensor([0.25, -0.1, 0.3])], "prelu") { prelu($0[0], weight: $0[1]) }
        gradCheck([randn([2, 3], rng)], "sigmoid") { $0[0].sigmoid() }
        gradCheck([randn([2, 3], rng)], "tanh") { $0[0].tanh() }
        gradCheck([randn([2, 3], rng, std: 3)], "softplus") { $0[0].softplus(beta: 2, threshold: 5) }
        gradCheck([randn([3, 4], rng)], "softmax") { $0[0].softmax(dim: 1) }
        gradCheck([randn([3, 4], rng)], "log softmax") { $0[0].logSoftmax(dim: 0) }
    }

    func testConvolutions() {
        gradCheck([randn([2, 2, 5, 4], rng), randn([3, 2, 3, 3], rng), randn([3], rng)], "conv2d") {
            conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1)
        }
        gradCheck([randn([1, 4, 6, 5], rng), randn([4, 2, 2, 3], rng)], "conv2d dilation groups") {
            conv2d($0[0], weight: $0[1], stride: Pair(h: 1, w: 2), padding: 1, dilation: Pair(h: 2, w: 1), groups: 2)
        }
        gradCheck([randn([1, 2, 3, 3], rng), randn([2, 3, 4, 4], rng), randn([3], rng)], "conv transpose") {
            convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1)
        }
        gradCheck([randn([1, 4, 2, 3], rng), randn([4, 1, 3, 2], rng)], "conv transpose groups dilation") {
            convTranspose2d($0[0], weight: $0[1], stride: 2, groups: 2, dilation: 2)
        }
    }

    func testPoolingAndResampling() {
        gradCheck([distinct([1, 2, 4, 4], rng)], "max pool") { maxPool2d($0[0], kernelSize: 2) }
        gradCheck([distinct([1, 1, 5, 5], rng)], "max pool padded") { maxPool2d($0[0], kernelSize: 3, stride: 2, padding: 1) }
        gradCheck([randn([1, 2, 4, 4], rng)], "avg pool") { avgPool2d($0[0], kernelSize: 2) }
        gradCheck([randn([1, 1, 5, 4], rng)], "avg pool padded") { avgPool2d($0[0], kernelSize: 3, stride: 2, padding: 1, countIncludePad: false) }
        gradCheck([randn([2, 2, 3, 3], rng)], "adaptive avg pool") { adaptiveAvgPool2d($0[0]) }
        gradCheck([randn([1, 2, 2, 3], rng)], "upsample nearest") { upsample($0[0], scaleFactor: 2) }
        gradCheck([randn([1, 1, 3, 3], rng)], "upsample bilinear") { upsample($0[0], scaleFactor: 2, mode: .bilinear) }
        gradCheck([randn([1, 1, 3, 4], rng)], "pad zeros") { pad2d($0[0], left: 1, right: 2, top: 2, bottom: 0) }
        gradCheck([randn([1, 1, 3, 4], rng)], "pad reflect") { pad2d($0[0], left: 2, right: 1, top: 2, bottom: 1, mode: .reflect) }
        gradCheck([randn([1, 1, 3, 4], rng)], "pad replicate") { pad2d($0[0], left: 2, right: 3, top: 1, bottom: 2, mode: .replicate) }
        gradCheck([randn([1, 8, 2, 2], rng)], "pixel shuffle") { pixelShuffle($0[0], upscaleFactor: 2) }
    }

    func testNormalisationDropoutEmbeddingNorms() {
        gradCheck([randn([4, 3, 2, 2], rng), positive([3], rng), randn([3], rng)], "batch norm") {
            batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true)
        }
        gradCheck([randn([5, 3], rng), positive([3], rng), randn([3], rng)], "batch norm 1d eps 0.8") {
            batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true, eps: 0.8)
        }
        let rm = Tensor([0.1, -0.2, 0.3]), rv = Tensor([0.5, 1.5, 1.0])
        gradCheck([randn([2, 3, 2], rng), positive([3], rng), randn([3], rng)], "batch norm eval") {
            batchNorm($0[0], runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: false)
        }
        gradCheck([randn([2, 2, 3, 3], rng), positive([2], rng), randn([2], rng)], "instance norm") {
            instanceNorm($0[0], weight: $0[1], bias: $0[2])
        }
        gradCheck([randn([2, 3, 4], rng), positive([4], rng), randn([4], rng)], "layer norm") {
            layerNorm($0[0], normalizedShape: [4], weight: $0[1], bias: $0[2])
        }
        gradCheck([randn([4, 5], rng)], "dropout (fixed mask)") {
            dropout($0[0], p: 0.4, training: true, generator: RandomGenerator(seed: 5))
        }
        gradCheck([randn([2, 4, 2, 2], rng)], "dropout2d (fixed mask)") {
            dropout2d($0[0], p: 0.5, training: true, generator: RandomGenerator(seed: 6))
        }
        gradCheck([randn([5, 3], rng)], "embedding") { embedding([4, 0, 4, 1], weight: $0[0]) }
        gradCheck([randn([3, 4], rng)], "norm 2") { $0[0].norm(dims: [1]) }
        gradCheck([away([3, 4], rng)], "norm 1") { $0[0].norm(p: 1, dims: [0]) }
        gradCheck([away([3, 4], rng)], "norm 3") { $0[0].norm(p: 3) }
    }

    func testLosses() {
        let t = Tensor.uniform([3, 2], generator: rng)
        gradCheck([Tensor.uniform([3, 2], low: 0.1, high: 0.9, generator: rng), t], "bce") { binaryCrossEntropy($0[0], $0[1]) }
        gradCheck([randn([3, 2], rng, std: 2), t], "bce with logits") { binaryCrossEntropyWithLogits($0[0], $0[1]) }
        gradCheck([randn([3, 2], rng), randn([3, 2], rng)], "mse") { mseLoss($0[0], $0[1]) }
        gradCheck([away([3, 2], rng), Tensor.zeros([3, 2])], "l1") { l1Loss($0[0], $0[1]) }
        gradCheck([randn([3, 2], rng, std: 2), Tensor.zeros([3, 2])], "smooth l1") { smoothL1Loss($0[0], $0[1]) }
        gradCheck([randn([4, 5], rng)], "cross entropy") { crossEntropy($0[0], targets: [1, 0, 4, 2]) }
        gradCheck([randn([4, 5], rng)], "nll") { nllLoss($0[0], targets: [3, 3, 0, 1], reduction: .sum) }
    }

    // MARK: Second order

    func testSecondOrder() {
        gradGradCheck([randn([3, 4], rng), randn([2, 4], rng), randn([2], rng)], "linear + tanh") {
            linear($0[0], weight: $0[1], bias: $0[2]).tanh()
        }
        gradGradCheck([randn([1, 2, 4, 4], rng), randn([3, 2, 3, 3], rng), randn([3], rng)], "conv2d + bias + sigmoid") {
            conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1).sigmoid()
        }
        gradGradCheck([randn([1, 2, 3, 3], rng), randn([2, 2, 3, 3], rng), randn([2], rng)], "conv transpose + bias + tanh") {
            convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1).tanh()
        }
        gradGradCheck([randn([1, 2, 3, 3], rng), randn([2, 2, 3, 3], rng)], "conv transpose + tanh") {
            convTranspose2d($0[0], weight: $0[1], stride: 2, padding: 1).tanh()
        }
        gradGradCheck([away([3, 4], rng), randn([4, 2], rng)], "leaky relu") { $0[0].leakyRelu(0.2).matmul($0[1]).pow(2) }
        gradGradCheck([away([3, 4], rng), randn([4, 2], rng)], "relu") { $0[0].relu().matmul($0[1]).pow(2) }
        gradGradCheck([randn([3, 4], rng)], "sigmoid") { $0[0].sigmoid() }
        gradGradCheck([randn([3, 4], rng)], "tanh") { $0[0].tanh() }
        gradGradCheck([randn([4, 3], rng), positive([3], rng), randn([3], rng)], "batch norm") {
            batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true).pow(2)
        }
        gradGradCheck([randn([2, 2, 2, 2], rng), positive([2], rng), randn([2], rng)], "batch norm 2d eps 0.8") {
            batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true, eps: 0.8).tanh()
        }
        gradGradCheck([randn([2, 5], rng), positive([5], rng), randn([5], rng)], "layer norm") {
            layerNorm($0[0], normalizedShape: [5], weight: $0[1], bias: $0[2]).pow(2)
        }
        gradGradCheck([randn([3, 4], rng)], "dropout (fixed mask)") {
            dropout($0[0], p: 0.5, training: true, generator: RandomGenerator(seed: 3)).pow(3)
        }
        gradGradCheck([randn([3, 4], rng)], "vector norm") { $0[0].norm(dims: [1]) }
        gradGradCheck([randn([3, 4], rng)], "mean") { $0[0].pow(2).mean(dims: [0]) }
        gradGradCheck([positive([3, 4], rng), randn([4], rng)], "pow") { $0[0].pow($0[1]) }
        gradGradCheck([positive([3, 4], rng)], "pow scalar") { $0[0].pow(2.5) }
        gradGradCheck([randn([2, 5], rng)], "log softmax") { $0[0].logSoftmax(dim: 1) }
        gradGradCheck([away([3, 4], rng)], "elu softplus") { $0[0].elu().softplus() }
        gradGradCheck([randn([1, 1, 4, 4], rng)], "pooling and upsampling") {
            upsample(avgPool2d($0[0].pow(2), kernelSize: 2), scaleFactor: 2, mode: .bilinear)
        }
        gradGradCheck([randn([1, 2, 2, 3], rng)], "nearest upsampling") { upsample($0[0].pow(3), scaleFactor: 3).tanh() }
    }

    /// The whole WGAN-GP penalty through a conv critic with batch norm, checked by finite
    /// differences in the critic's parameters. (A smooth activation here: with leaky ReLU
    /// the penalty is piecewise and differences straddle kinks; the PyTorch WGAN-GP
    /// fixture covers that case exactly.)
    func testGradientPenaltyThroughConvCritic() {
        let x = randn([3, 1, 6, 6], rng)
        gradCheck([randn([2, 1, 3, 3], rng, std: 0.5), positive([2], rng), randn([2], rng), randn([1, 18], rng, std: 0.5)],
                  "penalty") { p in
            let interp = x.detach().requiringGrad()
            var h = conv2d(interp, weight: p[0], stride: 2, padding: 1)
            h = batchNorm(h, runningMean: nil, runningVar: nil, weight: p[1], bias: p[2], training: true, eps: 0.8).tanh()
            let out = linear(h.flatten(), weight: p[3])
            let g = try! Autograd.grad(of: [out], withRespectTo: [interp], seeds: [Tensor.ones(out.shape)], createGraph: true)[0]!
            return ((g.flatten().norm(dims: [1]) - 1).pow(2)).mean() * 10
        }
    }
}
