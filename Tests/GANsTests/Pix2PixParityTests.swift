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

    /// Twenty steps of pix2pix from our seed-0 weights on the first 20 facades batches of the
    /// seed-0 order (batch 1, 256 px, stretched, not flipped), with G's dropout layers in eval
    /// mode (the reference puts its dropout elsewhere; with it off the networks are the same).
    func testTrainingStepsMatchPyTorch() throws {
        let config = try Zoo.config(for: Pix2Pix.self, common: [:], extra: [:],
                                    data: DataOptions(directory: try Pix2PixTests.facades(), flip: false))
        let model = Pix2Pix(config: config, seed: 0)
        for (_, m) in model.networks { m.train(true) }
        let dropouts = model.netG.modules().filter { $0 is Dropout }
        XCTAssertEqual(dropouts.count, 3)
        for m in dropouts { m.train(false) }
        let source = try TrainingData(Pix2Pix.self, config: config).batches(batchSize: 1, seed: 0)
        let batches = try (0..<Self.steps).map { try source.batch($0, epoch: 0) }

        if let dir = ProcessInfo.processInfo.environment["SWIFTGAN_PARITY_EXPORT"].map({ URL(fileURLWithPath: $0) }) {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for (net, m) in model.networks { try m.save(to: dir.appendingPathComponent("pix2pix_\(net).safetensors").path) }
            let pairs = batches.map(model.inputAndTarget)
            try SafeTensors.write(StateDict([("input", Tensor.concat(pairs.map(\.input), dim: 0)),
                                             ("target", Tensor.concat(pairs.map(\.target), dim: 0))]),
                                  to: dir.appendingPathComponent("pix2pix_batches.safetensors").path)
            return
        }

        // The same batches as the fixture's runs: [sum, sum of squares] of the inputs and targets.
        let expected = try Self.fixture("steps")
        let fingerprint = try XCTUnwrap(expected["batches"] as? [String: [Double]])
        let pairs = batches.map(model.inputAndTarget)
        for (key, tensors) in [("input", pairs.map(\.input)), ("target", pairs.map(\.target))] {
            let values = tensors.flatMap(\.scalars).map(Double.init), theirs = try XCTUnwrap(fingerprint[key])
            XCTAssertEqual(values.reduce(0, +), theirs[0], accuracy: 1e-6 * theirs[1],
                           "\(key) batches: not the facades batches the fixture was made from")
            XCTAssertEqual(values.reduce(0) { $0 + $1 * $1 }, theirs[1], accuracy: 1e-6 * theirs[1],
                           "\(key) batches: not the facades batches the fixture was made from")
        }

        // The reference: PyTorch in float64. Tolerance: float32 rounding alone takes PyTorch ~3e-4
        // from it at step 1 and up to 8% (d_loss), 13% (adv), 1.2% (g_loss, pixel) by step 20 (one
        // image a step, instance norm over 2x2 maps, Adam's sign-like early updates amplify it), so
        // one fixed tolerance is either too tight late or too loose early. At each step we allow twice
        // the largest relative distance of PyTorch's twelve float32 runs (2 threads and 1, oneDNN's
        // convolutions and PyTorch's im2col ones, on an Intel AVX-512 CPU, an AVX2 one and AMD Zen 4)
        // from it so far, at least 1e-4; with two runs only, a kernel change that brought steps 0-2
        // closer failed at step 3 where PyTorch's im2col run lands farther off than ours. Ours: <=
        // 7.1e-5 over steps 0-2 on Intel (<= 1.6e-4 on AMD Zen 2), at most 0.68 of the tolerance over
        // all 20; on Zen 4 (7.0e-4 over steps 0-2) g_loss at step 4 stood at 1.03 of the rule before
        // its four runs were added, 0.97 after (PyTorch's own there: 1.2e-3 at step 4). Bugs it
        // catches (PyTorch float32 with the bug, against this rule): Adam beta1 0.9 fails 59 of the 80
        // losses from step 2 on (10% off); D trained on the fake of the updated G fails 37 of 80 from
        // step 0 on (d_loss 24% off).
        func losses(_ run: String) throws -> [String: [Double]] {
            let r = try XCTUnwrap(expected[run] as? [String: Any], "no \(run) run")
            return try XCTUnwrap(r["losses"] as? [String: [Double]])
        }
        let float32Names = expected.keys.filter { $0.hasPrefix("float32") }.sorted()
        XCTAssertEqual(float32Names.count, 12, "the fixture's float32 runs")
        let reference = try losses("float64"), float32Runs = try float32Names.map(losses)
        let keys = ["d_loss", "g_loss", "pixel", "adv"]
        var ours: [String: [Double]] = [:]
        for (step, batch) in batches.enumerated() {
            let start = Date()
            for (name, value) in try model.trainStep(batch, batchesDone: step) { ours[name, default: []].append(Double(value)) }
            print(String(format: "pix2pix parity: step %d (%.1f s):", step, Date().timeIntervalSince(start)),
                  keys.map { k in String(format: "%@ %.6f/%.6f", k, ours[k]!.last!, reference[k]?[step] ?? .nan) }.joined(separator: " "))
        }
        for key in keys {
            let theirs = try XCTUnwrap(reference[key]), mine = try XCTUnwrap(ours[key])
            XCTAssertEqual(theirs.count, Self.steps)
            var envelope = 0.0, worst = 0.0, worstEarly = 0.0, worstRatio = 0.0
            for step in 0..<Self.steps {
                let b = theirs[step], relative = abs(mine[step] - b) / abs(b)
                for run in float32Runs { envelope = max(envelope, abs(run[key]![step] - b) / abs(b)) }
                let tolerance = max(Self.lossToleranceFloor, Self.spreadFactor * envelope)
                XCTAssertLessThanOrEqual(relative, tolerance, "\(key) at step \(step): ours \(mine[step]), PyTorch float64 \(b)")
                worst = max(worst, relative)
                if step < 3 { worstEarly = max(worstEarly, relative) }
                worstRatio = max(worstRatio, relative / tolerance)
            }
            print("pix2pix parity: \(key) largest relative difference from PyTorch float64: steps 0-2 \(worstEarly), "
                  + "steps 0-19 \(worst) (PyTorch float32's own: \(envelope)); at most \(worstRatio) of the tolerance")
        }

        // Parameter sums after the last step: [sum, sum of magnitudes], tolerance as the losses'.
        func sums(_ run: String) throws -> [String: [String: [Double]]] {
            let r = try XCTUnwrap(expected[run] as? [String: Any])
            return try XCTUnwrap(r["parameter_sums"] as? [String: [String: [Double]]])
        }
        let referenceSums = try sums("float64"), float32Sums = try float32Names.map(sums)
        for (net, m) in model.networks {
            let params = Dictionary(uniqueKeysWithValues: m.namedParameters().map { ($0.name, $0.tensor.scalars.map(Double.init)) })
            for (key, value) in try XCTUnwrap(referenceSums[net]) {
                let tensors = key == "(all)" ? Array(params.values) : [try XCTUnwrap(params[key], "\(net).\(key)")]
                let sum = tensors.reduce(0) { $0 + $1.reduce(0, +) }, sumAbs = tensors.reduce(0) { $0 + $1.reduce(0) { $0 + abs($1) } }
                var spread = 0.0
                for run in float32Sums {
                    let v = try XCTUnwrap(run[net]?[key])
                    spread = max(spread, abs(v[0] - value[0]) / value[1], abs(v[1] - value[1]) / value[1])
                }
                let tolerance = max(Self.parameterToleranceFloor, Self.spreadFactor * spread)
                print("pix2pix parity: \(net).\(key) sum \(sum)/\(value[0]), sum of magnitudes \(sumAbs)/\(value[1]); "
                      + "relative to the magnitudes: \(abs(sum - value[0]) / value[1]), \(abs(sumAbs - value[1]) / value[1]) "
                      + "(PyTorch float32's own: \(spread))")
                XCTAssertEqual(sum, value[0], accuracy: tolerance * value[1], "\(net).\(key): sum")
                XCTAssertEqual(sumAbs, value[1], accuracy: tolerance * value[1], "\(net).\(key): sum of magnitudes")
            }
        }
    }

    static let spreadFactor = 2.0, lossToleranceFloor = 1e-4, parameterToleranceFloor = 1e-5
}
