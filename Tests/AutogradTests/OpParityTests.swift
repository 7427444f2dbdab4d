import XCTest
@testable import Autograd

/// Every op against PyTorch 2.13: outputs and input gradients for a random upstream
/// gradient (fixtures from Scripts/make_autograd_fixtures.py).
final class OpParityTests: XCTestCase {
    typealias Op = @Sendable ([Tensor]) -> Tensor

    /// Cases whose tolerance is the elementwise one (1e-5 relative); the rest are
    /// reductions, products or convolutions (1e-4 relative).
    static let elementwise: Set<String> = [
        "add", "add_broadcast", "sub", "mul", "div", "neg", "add_scalar", "mul_scalar", "rsub_scalar", "rdiv_scalar",
        "pow_tensor", "pow_scalar", "pow_half", "exp", "log", "log1p", "sqrt", "abs", "clamp", "maximum", "minimum",
        "where", "reshape", "flatten", "permute", "transpose", "unsqueeze", "squeeze", "slice", "index_select",
        "gather", "concat", "stack", "split", "chunk", "relu", "leaky_relu", "elu", "prelu", "sigmoid", "tanh",
        "softplus", "max_dim", "max_dim_keep", "pad_zeros", "pad_constant", "pixel_shuffle", "upsample_nearest", "embedding",
    ]

    static let ops: [String: Op] = [
        "add": { $0[0] + $0[1] }, "add_broadcast": { $0[0] + $0[1] }, "sub": { $0[0] - $0[1] },
        "mul": { $0[0] * $0[1] }, "div": { $0[0] / $0[1] }, "neg": { -$0[0] },
        "add_scalar": { $0[0] + 2.5 }, "mul_scalar": { $0[0] * -1.5 }, "rsub_scalar": { 3 - $0[0] },
        "rdiv_scalar": { 2 / $0[0] },
        "pow_tensor": { $0[0].pow($0[1]) }, "pow_scalar": { $0[0].pow(3) }, "pow_half": { $0[0].pow(0.5) },
        "exp": { $0[0].exp() }, "log": { $0[0].log() }, "log1p": { $0[0].log1p() }, "sqrt": { $0[0].sqrt() },
        "abs": { $0[0].abs() }, "clamp": { $0[0].clamp(min: -0.5, max: 0.5) },
        "maximum": { Tensor.maximum($0[0], $0[1]) }, "minimum": { Tensor.minimum($0[0], $0[1]) },
        "where": { Tensor.where($0[0], $0[1], $0[2]) },
        "sum_all": { $0[0].sum() }, "sum_dims": { $0[0].sum(dims: [0, 2], keepDim: true) },
        "sum_dim": { $0[0].sum(dim: 1) }, "mean_all": { $0[0].mean() }, "mean_dims": { $0[0].mean(dims: [0, 2]) },
        "var_unbiased": { $0[0].variance(dims: [1]) },
        "var_biased": { $0[0].variance(dims: [0, 1], unbiased: false, keepDim: true) },
        "max_dim": { $0[0].max(dim: 1).values }, "max_dim_keep": { $0[0].max(dim: 0, keepDim: true).values },
        "matmul": { $0[0].matmul($0[1]) }, "matmul_batched": { $0[0].matmul($0[1]) },
        "matmul_broadcast": { $0[0].matmul($0[1]) }, "matmul_batch_broadcast": { $0[0].matmul($0[1]) },
        "linear": { linear($0[0], weight: $0[1], bias: $0[2]) },
        "reshape": { $0[0].reshape([3, 4]) * Tensor.arange(0, 12).reshape([3, 4]) },
        "flatten": { $0[0].flatten(startDim: 1) }, "permute": { $0[0].permute([2, 0, 1]) },
        "transpose": { $0[0].transposed(0, 2) }, "unsqueeze": { $0[0].unsqueeze(1) * Tensor.arange(0, 4) },
        "squeeze": { $0[0].squeeze(1) }, "expand": { $0[0].expand(to: [2, 3, 4]) },
        "slice": { $0[0].slice(dim: 1, start: 1, end: 6, step: 2) },
        "index_select": { $0[0].indexSelect(dim: 0, indices: [2, 0, 2, 3]) },
        "gather": { $0[0].gather(dim: 1, index: Tensor(shape: [3, 2], scalars: [0, 3, 2, 2, 1, 0])) },
        "concat": { Tensor.concat([$0[0], $0[1]], dim: 1) }, "stack": { Tensor.stack([$0[0], $0[1]], dim: 1) },
        "split": { $0[0].split(sizes: [2, 3], dim: 0)[1] }, "chunk": { $0[0].chunk(3, dim: 0)[2] },
        "relu": { $0[0].relu() }, "leaky_relu": { $0[0].leakyRelu(0.2) }, "elu": { $0[0].elu(alpha: 1) },
        "prelu": { prelu($0[0], weight: $0[1]) }, "sigmoid": { $0[0].sigmoid() }, "tanh": { $0[0].tanh() },
        "softplus": { $0[0].softplus(beta: 2, threshold: 5) }, "softmax": { $0[0].softmax(dim: 1) },
        "log_softmax": { $0[0].logSoftmax(dim: 1) }, "softmax_dim0": { $0[0].softmax(dim: 0) },
        "conv2d": { conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) },
        "conv2d_dilation_groups": {
            conv2d($0[0], weight: $0[1], stride: Pair(h: 1, w: 2), padding: Pair(h: 2, w: 1), dilation: Pair(h: 2, w: 1), groups: 2)
        },
        "conv_transpose2d": { convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1) },
        "conv_transpose2d_groups": { convTranspose2d($0[0], weight: $0[1], stride: 2, groups: 2) },
        "max_pool2d": { maxPool2d($0[0], kernelSize: 2) },
        "max_pool2d_pad": { maxPool2d($0[0], kernelSize: 3, stride: 2, padding: 1) },
        "avg_pool2d": { avgPool2d($0[0], kernelSize: 2) },
        "avg_pool2d_pad": { avgPool2d($0[0], kernelSize: 3, stride: 2, padding: 1) },
        "avg_pool2d_pad_exclude": { avgPool2d($0[0], kernelSize: 3, stride: 2, padding: 1, countIncludePad: false) },
        "adaptive_avg_pool2d": { adaptiveAvgPool2d($0[0]) },
        "upsample_nearest": { upsample($0[0], scaleFactor: 2) },
        "upsample_bilinear": { upsample($0[0], scaleFactor: 2, mode: .bilinear) },
        "upsample_bilinear_x3": { upsample($0[0], scaleFactor: 3, mode: .bilinear) },
        "pad_zeros": { pad2d($0[0], left: 1, right: 2, top: 0, bottom: 1) },
        "pad_constant": { pad2d($0[0], left: 1, right: 1, top: 2, bottom: 0, mode: .constant, value: 0.5) },
        "pad_reflect": { pad2d($0[0], left: 2, right: 1, top: 3, bottom: 1, mode: .reflect) },
        "pad_replicate": { pad2d($0[0], left: 2, right: 3, top: 1, bottom: 2, mode: .replicate) },
        "pixel_shuffle": { pixelShuffle($0[0], upscaleFactor: 2) },
        "batch_norm_eps": { batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true, eps: 0.8) },
        "instance_norm": { instanceNorm($0[0], weight: $0[1], bias: $0[2]) },
        "layer_norm": { layerNorm($0[0], normalizedShape: [3, 4], weight: $0[1], bias: $0[2]) },
        "embedding": { embedding([4, 0, 4, 2], weight: $0[0]) },
        "norm2": { $0[0].norm(dims: [1]) }, "norm2_all": { $0[0].norm() },
        "norm1": { $0[0].norm(p: 1, dims: [1], keepDim: true) }, "norm3": { $0[0].norm(p: 3, dims: [0, 1]) },
        "bce": { binaryCrossEntropy($0[0], $0[1]) }, "bce_sum": { binaryCrossEntropy($0[0], $0[1], reduction: .sum) },
        "bce_logits": { binaryCrossEntropyWithLogits($0[0], $0[1]) },
        "mse": { mseLoss($0[0], $0[1]) }, "l1": { l1Loss($0[0], $0[1]) }, "smooth_l1": { smoothL1Loss($0[0], $0[1]) },
        "cross_entropy": { crossEntropy($0[0], targets: [1, 0, 4, 2]) },
        "nll": { nllLoss($0[0], targets: [3, 3, 0, 1]) },
        "mse_none": { mseLoss($0[0], $0[1], reduction: .none) },
    ]

    func testEveryOpMatchesPyTorch() throws {
        let root = try Fixtures.load("ops.json")
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        var covered = Set<String>()
        // Cases with special set-up are tested separately below.
        let special: Set<String> = ["batch_norm_train", "batch_norm_eval"]
        for c in cases {
            let name = try XCTUnwrap(c["name"] as? String)
            if special.contains(name) { covered.insert(name); continue }
            guard let op = Self.ops[name] else { XCTFail("no Swift op for fixture case \(name)"); continue }
            covered.insert(name)
            try check(c, name: name, op: op)
        }
        XCTAssertEqual(Set(Self.ops.keys).subtracting(covered), [], "Swift cases without a fixture")
    }

    func check(_ c: [String: Any], name: String, op: Op, prepare: (() -> Void)? = nil) throws {
        let rawInputs = try XCTUnwrap(c["inputs"] as? [Any])
        let grads = try XCTUnwrap(c["grads"] as? [Any])
        let inputs = rawInputs.enumerated().map { i, raw in
            Fixtures.tensor(raw)!.requiringGrad(Fixtures.tensor(grads[i]) != nil)
        }
        prepare?()
        let out = op(inputs)
        let tight = Self.elementwise.contains(name)
        let (rtol, atol): (Float, Float) = tight ? (1e-5, 1e-6) : (1e-4, 1e-5)
        assertClose(out, Fixtures.tensor(c["output"])!, rtol: rtol, atol: atol, "\(name) output")
        let seed = Fixtures.tensor(c["gout"])!
        let wrt = inputs.filter { $0.requiresGrad }
        let ours = try Autograd.grad(of: [out], withRespectTo: wrt, seeds: [seed])
        var k = 0
        for (i, g) in grads.enumerated() {
            guard let expected = Fixtures.tensor(g) else { continue }
            let got = try XCTUnwrap(ours[k], "\(name): no gradient for input \(i)")
            assertClose(got, expected, rtol: rtol, atol: atol, "\(name) grad of input \(i)")
            k += 1
        }
    }

    func testBatchNormTrainingAndRunningStatistics() throws {
        let root = try Fixtures.load("ops.json")
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        let train = try XCTUnwrap(cases.first { $0["name"] as? String == "batch_norm_train" })
        let rm = Fixtures.tensor(train["running_mean_before"])!, rv = Fixtures.tensor(train["running_var_before"])!
        try check(train, name: "batch_norm_train", op: {
            batchNorm($0[0], runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: true, momentum: 0.1)
        })
        assertClose(rm, Fixtures.tensor(train["running_mean_after"])!, rtol: 1e-5, atol: 1e-6, "running mean")
        assertClose(rv, Fixtures.tensor(train["running_var_after"])!, rtol: 1e-5, atol: 1e-6, "running var")

        let eval = try XCTUnwrap(cases.first { $0["name"] as? String == "batch_norm_eval" })
        let rm0 = Fixtures.tensor(train["running_mean_before"])!, rv0 = Fixtures.tensor(train["running_var_before"])!
        try check(eval, name: "batch_norm_eval", op: {
            batchNorm($0[0], runningMean: rm0, runningVar: rv0, weight: $0[1], bias: $0[2], training: false)
        })
        XCTAssertEqual(rm0.scalars, Fixtures.tensor(train["running_mean_before"])!.scalars, "eval must not touch running stats")
    }
}
