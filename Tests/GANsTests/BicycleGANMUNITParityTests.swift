import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// Every network of bicyclegan and munit against PyTorch-GAN's own (Fixtures/
/// bicyclegan_munit_parity.json, from Scripts/make_bicyclegan_munit_parity.py): the same
/// state-dict keys in the same order, filled by the same formula, on the same formula inputs,
/// give the same outputs (to 1e-4), in eval mode and, for the batch-normed ones, in train mode.
final class BicycleGANMUNITParityTests: XCTestCase {
    /// offset + scale u_i, u_i = frac(43758.5453 sin(12.9898 i + 78.233 k)) - 0.5 for i in
    /// 0..<n, in Float64 (as the script), stored as Float.
    static func hashed(_ n: Int, _ k: Int, scale: Double, offset: Double = 0) -> [Float] {
        var values = [Float](repeating: 0, count: n)
        values.withUnsafeMutableBufferPointer { b in
            for i in 0..<n {
                let v = sin(12.9898 * Double(i) + 78.233 * Double(k)) * 43758.5453
                b[i] = Float(offset + scale * (v - v.rounded(.down) - 0.5))
            }
        }
        return values
    }

    /// The k-th state-dict key: weights 2u / sqrt(fan-in), 1-D tensors 2u, running variances
    /// 1 + 0.2u; num_batches_tracked left alone. Returns the keys in order.
    static func fill(_ net: Module) -> [String] {
        let dict = net.stateDict()
        withoutGrad {
            for (k, name) in dict.names.enumerated() where !name.hasSuffix("num_batches_tracked") {
                let t = dict[name]!
                let scale = t.rank > 1 ? 2 / Double(t.count / t.shape[0]).squareRoot() : 2
                let values = name.hasSuffix("running_var") ? hashed(t.count, k, scale: 0.2, offset: 1) : hashed(t.count, k, scale: scale)
                t.assign(Tensor(shape: t.shape, scalars: values))
            }
        }
        return dict.names
    }

    static func input(_ shape: [Int], _ j: Int) -> Tensor {
        Tensor(shape: shape, scalars: hashed(shape.reduce(1, *), 1000 + j, scale: 1.8))
    }

    /// `net` filled as the fixture's case `name`, run by `forward` on its inputs, in each mode recorded.
    func check(_ name: String, _ net: Module, _ forward: ([Tensor]) -> [Tensor]) throws {
        let fixture = try ReferenceParity.fixture("bicyclegan_munit")
        let c = try XCTUnwrap(fixture[name] as? [String: Any], "no case \(name)")
        XCTAssertEqual(Self.fill(net), c["keys"] as? [String], "\(name) state-dict keys in PyTorch's order")
        let inputs = try XCTUnwrap(c["input_shapes"] as? [[Int]]).enumerated().map { Self.input($0.element, $0.offset) }
        for mode in ["eval", "train"] {
            guard let expected = c[mode] as? [Any] else { continue }
            net.train(mode == "train")
            let outputs = withoutGrad { forward(inputs) }
            XCTAssertEqual(outputs.count, expected.count, "\(name) outputs")
            for (k, (y, summary)) in zip(outputs, expected).enumerated() {
                try ReferenceParity.check(y, summary, "\(name) output \(k) (\(mode))")
            }
        }
    }

    func testBicycleGANNetworksMatchReference() throws {
        let rng = RandomGenerator(seed: 1)
        let g = BicycleGANGenerator(latentDim: 8, channels: 3, imageSize: 128, generator: rng)
        try check("bicyclegan_G", g) { [g($0[0], $0[1])] }
        let e = BicycleGANEncoder(latentDim: 8, generator: rng)
        try check("bicyclegan_E", e) { let (mu, logvar) = e($0[0]); return [mu, logvar] }
        let d = MultiScaleDiscriminator(norm: .batch(eps: 0.8), generator: rng)
        try check("bicyclegan_D", d) { d.outputs($0[0]) }
    }

    func testMUNITNetworksMatchReference() throws {
        let rng = RandomGenerator(seed: 1)
        let e = MUNITEncoder(generator: rng)
        try check("munit_encoder", e) { let (content, style) = e($0[0]); return [content, style] }
        let dec = MUNITDecoder(generator: rng)
        try check("munit_decoder", dec) { [dec($0[0], $0[1])] }
        let d = MultiScaleDiscriminator(norm: .instance, generator: rng)
        try check("munit_D", d) { d.outputs($0[0]) }
    }
}
