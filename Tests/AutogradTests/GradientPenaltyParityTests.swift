import XCTest
@testable import Autograd

/// WGAN-GP's penalty gradients versus PyTorch's autograd.grad(..., create_graph=True),
/// for a small MLP critic and a small conv critic with batch norm (eps 0.8, as PyTorch-GAN).
final class GradientPenaltyParityTests: XCTestCase {
    func penaltyCase(_ name: String) throws -> [String: Any] {
        let root = try Fixtures.load("wgan_gp.json")
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        return try XCTUnwrap(cases.first { $0["name"] as? String == name })
    }

    func run(_ name: String, critic: ([Tensor], Tensor) -> Tensor) throws {
        let c = try penaltyCase(name)
        let params = try XCTUnwrap(c["params"] as? [Any]).map { Fixtures.tensor($0)!.requiringGrad() }
        let real = Fixtures.tensor(c["real"])!, fake = Fixtures.tensor(c["fake"])!, alpha = Fixtures.tensor(c["alpha"])!
        let interp = (alpha * real + (1 - alpha) * fake).requiringGrad()
        let out = critic(params, interp)
        assertClose(out, Fixtures.tensor(c["critic_out"])!, rtol: 1e-4, atol: 1e-5, "\(name) critic output")
        let g = try XCTUnwrap(Autograd.grad(of: [out], withRespectTo: [interp], seeds: [Tensor.ones(out.shape)], createGraph: true)[0])
        let penalty = (g.reshape([g.shape[0], -1]).norm(dims: [1]) - 1).pow(2).mean() * 10
        XCTAssertEqual(penalty.item(), Float(try XCTUnwrap(c["penalty"] as? Double)), accuracy: 1e-4 * Swift.max(1, Swift.abs(penalty.item())))
        try penalty.backward()
        let expected = try XCTUnwrap(c["param_grads"] as? [Any])
        for (i, p) in params.enumerated() {
            let got = p.grad ?? Tensor.zeros(p.shape)
            assertClose(got, Fixtures.tensor(expected[i])!, rtol: 1e-4, atol: 1e-5, "\(name) d penalty / d param \(i)")
        }
    }

    func testMLPCritic() throws {
        try run("mlp") { p, x in
            var h = linear(x.reshape([x.shape[0], -1]), weight: p[0], bias: p[1]).leakyRelu(0.2)
            h = linear(h, weight: p[2], bias: p[3]).leakyRelu(0.2)
            return linear(h, weight: p[4], bias: p[5])
        }
    }

    func testConvCriticWithBatchNorm() throws {
        try run("conv_bn") { p, x in
            var h = conv2d(x, weight: p[0], bias: p[1], stride: 2, padding: 1).leakyRelu(0.2)
            h = conv2d(h, weight: p[2], bias: p[3], stride: 2, padding: 1)
            h = batchNorm(h, runningMean: nil, runningVar: nil, weight: p[4], bias: p[5], training: true, eps: 0.8).leakyRelu(0.2)
            return linear(h.reshape([h.shape[0], -1]), weight: p[6], bias: p[7])
        }
    }
}
