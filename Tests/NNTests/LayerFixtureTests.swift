import XCTest
import Autograd
@testable import NN

/// Every layer's forward and backward against PyTorch (Fixtures/layers.safetensors):
/// parameters and buffers load by name, output within 1e-5, input and parameter
/// gradients of sum(output * probe) within 1e-4, buffers after the forward pass.
final class LayerFixtureTests: XCTestCase {
    /// Case name -> (our layer, training mode).
    private let cases: [String: (() -> Module, Bool)] = [
        "linear": ({ Linear(5, 3) }, true),
        "linear_nobias": ({ Linear(5, 3, bias: false) }, true),
        "conv2d": ({ Conv2d(3, 4, kernelSize: 3, stride: 2, padding: 1) }, true),
        "conv2d_groups_dilation": ({ Conv2d(4, 6, kernelSize: 3, padding: 2, dilation: 2, groups: 2) }, true),
        "conv_transpose2d": ({ ConvTranspose2d(3, 2, kernelSize: 4, stride: 2, padding: 1) }, true),
        "conv_transpose2d_outpad_groups": ({ ConvTranspose2d(2, 4, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, groups: 2) }, true),
        "batchnorm1d_train": ({ BatchNorm1d(5, 0.8) }, true),
        "batchnorm1d_3d_train": ({ BatchNorm1d(3) }, true),
        "batchnorm2d_train": ({ BatchNorm2d(3) }, true),
        "batchnorm2d_eval": ({ BatchNorm2d(3, 0.8) }, false),
        "batchnorm2d_cumulative_train": ({ BatchNorm2d(3, momentum: nil) }, true),
        "instancenorm2d": ({ InstanceNorm2d(3) }, true),
        "instancenorm2d_affine": ({ InstanceNorm2d(3, affine: true) }, true),
        "instancenorm2d_tracked_eval": ({ InstanceNorm2d(3, trackRunningStats: true) }, false),
        "layernorm": ({ LayerNorm([4, 4]) }, true),
        "relu": ({ ReLU() }, true),
        "leaky_relu": ({ LeakyReLU(0.2) }, true),
        "prelu": ({ PReLU(numParameters: 3) }, true),
        "elu": ({ ELU() }, true),
        "sigmoid": ({ Sigmoid() }, true),
        "tanh": ({ Tanh() }, true),
        "softmax": ({ Softmax(dim: 1) }, true),
        "upsample_nearest": ({ Upsample(scaleFactor: 2) }, true),
        "upsample_bilinear": ({ Upsample(scaleFactor: 2, mode: .bilinear) }, true),
        "zeropad2d": ({ ZeroPad2d(Padding2d(left: 1, right: 2, top: 0, bottom: 3)) }, true),
        "reflectionpad2d": ({ ReflectionPad2d(2) }, true),
        "maxpool2d": ({ MaxPool2d(2) }, true),
        "maxpool2d_padded": ({ MaxPool2d(3, stride: 2, padding: 1) }, true),
        "avgpool2d": ({ AvgPool2d(2) }, true),
        "avgpool2d_padded_exclude": ({ AvgPool2d(3, stride: 2, padding: 1, countIncludePad: false) }, true),
        "pixelshuffle": ({ PixelShuffle(2) }, true),
        "flatten": ({ Flatten() }, true),
        "identity": ({ Identity() }, true),
        "dropout_eval": ({ Dropout(0.5) }, false),
        "dropout2d_eval": ({ Dropout2d(0.5) }, false),
        "embedding": ({ Embedding(10, 4) }, true),
    ]

    func testEveryLayerMatchesPyTorch() throws {
        let all = try Fixture.load("layers")
        let fixtureCases = Set(all.names.filter { $0.hasSuffix(".input") }.map { String($0.dropLast(".input".count)) })
        XCTAssertEqual(fixtureCases, Set(cases.keys), "fixture cases and Swift cases differ")
        for name in fixtureCases.sorted() {
            guard let (make, training) = cases[name] else { continue }
            let c = all.scoped(name)
            let layer = make().train(training)
            try layer.loadStateDict(c.scoped("param"))
            let isEmbedding = name == "embedding"
            let x = c["input"]!.copy().requiringGrad(!isEmbedding)
            let y = layer(x)
            assertClose(y, c["output"], tolerance: 1e-5, "\(name) output")
            try y.backward(seed: c["probe"]!)
            if !isEmbedding { assertClose(x.grad, c["grad_input"], tolerance: 1e-4, "\(name) input gradient") }
            for (n, p) in layer.namedParameters() { assertClose(p.grad, c["grad.\(n)"], tolerance: 1e-4, "\(name) gradient of \(n)") }
            for b in layer.namedBuffers() { assertClose(b.tensor, c["after.\(b.name)"], tolerance: 1e-5, "\(name) buffer \(b.name) after forward") }
        }
    }
}
