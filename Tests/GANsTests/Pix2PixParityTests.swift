import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// pix2pix against PyTorch-GAN's own code (Tests/GANsTests/Fixtures/pix2pix_parity.json,
/// written by Scripts/make_pix2pix_parity.py, which imports the reference's
/// implementations/pix2pix/models.py):
/// - forward: G and D with every state-dict tensor set by the same formula of its key's
///   position and element index, on formula inputs at 256 px, in eval mode, give the
///   reference networks' outputs;
/// - steps: twenty training steps from our seed-0 weights on the same facades batches
///   (dropout off in both) report the losses the reference's training step reports.
///
/// With SWIFTGAN_PARITY_EXPORT=DIR the steps test instead writes what the script feeds
/// PyTorch: the initial state dicts and the 20 (input, target) batches.
final class Pix2PixParityTests: XCTestCase {
    static let steps = 20
    static let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pix2pix_parity.json")

    static func fixture(_ part: String) throws -> [String: Any] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL)) as? [String: Any]
        return try XCTUnwrap(json?[part] as? [String: Any], "no \(part) in \(fixtureURL.path)")
    }

    /// State-dict tensor number k, element i: sin(0.37 i + 1.3 k) times 0.25 / sqrt(numel /
    /// shape[0]) for a weight, 0.1 for a bias; in Double, stored as Float (as the script).
    static func fill(_ k: Int, _ shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        let scale = shape.count > 1 ? 0.25 / Double(n / shape[0]).squareRoot() : 0.1
        let phase = 1.3 * Double(k)
        var values = [Float](repeating: 0, count: n)
        values.withUnsafeMutableBufferPointer { b in
            for i in 0..<n { b[i] = Float(sin(0.37 * Double(i) + phase) * scale) }
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// Every state-dict tensor of `net` set by `fill`, in state-dict (PyTorch's) order.
    static func fillAll(_ net: Module) throws {
        let state = net.stateDict()
        var dict = StateDict()
        for (k, name) in state.names.enumerated() { dict.set(name, fill(k, state[name]!.shape)) }
        _ = try net.loadStateDict(dict, strict: true)
    }

    /// 0.9 sin(0.021 i + phase), i the flat element index.
    static func image(_ phase: Double, _ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float(0.9 * sin(0.021 * Double($0) + phase)) })
    }

    /// The largest difference from the stored subset, |ours - theirs| / max(1, |theirs|),
    /// after checking the shape and the sums over every element.
    func compare(_ out: Tensor, _ expected: [String: Any], _ name: String) throws -> Double {
        XCTAssertEqual(out.shape, try XCTUnwrap(expected["shape"] as? [Int]), name)
        let stride = try XCTUnwrap(expected["stride"] as? Int), values = try XCTUnwrap(expected["values"] as? [Double])
        let ours = out.scalars.map(Double.init)
        XCTAssertEqual(values.count, (ours.count + stride - 1) / stride, "\(name): subset size")
        var worst = 0.0, worstAbsolute = 0.0
        for (j, theirs) in values.enumerated() {
            let d = abs(ours[j * stride] - theirs)
            worst = max(worst, d / max(1, abs(theirs)))
            worstAbsolute = max(worstAbsolute, d)
        }
        XCTAssertLessThanOrEqual(worst, 1e-4, "\(name): largest difference from PyTorch on the stored subset")
        // D's scores are ~0.01: against their own scale too.
        let rms = (values.reduce(0) { $0 + $1 * $1 } / Double(values.count)).squareRoot()
        XCTAssertLessThanOrEqual(worstAbsolute / rms, 1e-3, "\(name): largest difference relative to the outputs' RMS \(rms)")
        // The sums cover every element; float32 rounding in another summation order is ~1e-7
        // of the total magnitude.
        let sumAbs = ours.reduce(0) { $0 + abs($1) }, sumSquares = ours.reduce(0) { $0 + $1 * $1 }
        let theirAbs = try XCTUnwrap(expected["sum_abs"] as? Double)
        XCTAssertEqual(ours.reduce(0, +), try XCTUnwrap(expected["sum"] as? Double), accuracy: 1e-5 * theirAbs, "\(name): sum")
        XCTAssertEqual(sumAbs, theirAbs, accuracy: 1e-5 * theirAbs, "\(name): sum of magnitudes")
        let theirSquares = try XCTUnwrap(expected["sum_squares"] as? Double)
        XCTAssertEqual(sumSquares, theirSquares, accuracy: 1e-5 * theirSquares, "\(name): sum of squares")
        print("pix2pix parity: \(name) forward, largest difference \(worst) (absolute \(worstAbsolute), RMS \(rms)) over \(values.count) stored values")
        return worst
    }

    /// The networks pix2pix trains (G with the paper's dropout levels: in eval mode the
    /// reference's forward is the same), formula weights, formula inputs, eval mode.
    func testForwardMatchesReferenceNetworks() throws {
        let expected = try Self.fixture("forward")
        let model = Pix2Pix(config: try Zoo.config(for: Pix2Pix.self, common: [:], extra: [:]), seed: 0)
        try Self.fillAll(model.netG)
        try Self.fillAll(model.netD)
        model.netG.eval()
        model.netD.eval()
        let x = Self.image(0.7, [1, 3, 256, 256]), y = Self.image(-1.1, [1, 3, 256, 256])
        let (g, d) = withoutGrad { (model.netG(x), model.netD(y, x)) }
        _ = try compare(g, try XCTUnwrap(expected["generator"] as? [String: Any]), "generator")
        _ = try compare(d, try XCTUnwrap(expected["discriminator"] as? [String: Any]), "discriminator")
    }
}
