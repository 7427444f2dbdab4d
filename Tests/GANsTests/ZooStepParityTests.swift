import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// Whole training steps against PyTorch: gan and bgan (which differ only in the generator's
/// loss) start from our seed-0 weights, see the same batches of real digits and the same
/// latent vectors, and must report the losses PyTorch reports for the same steps
/// (Tests/GANsTests/Fixtures/zoo_step_parity.json, written by
/// Scripts/make_zoo_step_parity.py). Twenty steps of Adam on both networks compound any
/// difference in a loss, a gradient, an update or the order of updates.
///
/// With SWIFTGAN_PARITY_EXPORT=DIR the test instead writes what the script feeds PyTorch:
/// each model's initial state dicts, and the batches and latent vectors of every step.
final class ZooStepParityTests: XCTestCase {
    static let steps = 20, batchSize = 64
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/zoo_step_parity.json")

    func testGANStepsMatchPyTorch() throws { try check(GAN.self, generatorLossTolerance: 1e-3) }

    /// bgan's generator loss is half the squared log-odds of D, ~1e-5 while D is near 0.5:
    /// its gradient is that small too, and Adam, dividing by its size, turns float rounding
    /// into update differences that show in the loss at 1e-3 by step 20 (a wrong term or sign
    /// changes it by orders of magnitude).
    func testBGANStepsMatchPyTorch() throws { try check(BGAN.self, generatorLossTolerance: 1e-2) }

    private func check(_ type: any GANModel.Type, generatorLossTolerance: Double) throws {
        let name = type.info.name
        let config = try Zoo.config(for: type, common: [:], extra: [:])
        let model = type.init(config: config, seed: 0)
        for (_, m) in model.networks { m.train(true) }
        let data = try TestData.mnist(imageSize: 28)
        let order = Array(0..<data.count)
        // The model's latent vectors are the only draws of its noise stream (seed + 2).
        let replay = RandomGenerator(seed: 2)
        let export = ProcessInfo.processInfo.environment["SWIFTGAN_PARITY_EXPORT"].map { URL(fileURLWithPath: $0) }
        if let export {
            try FileManager.default.createDirectory(at: export, withIntermediateDirectories: true)
            for (net, m) in model.networks {
                try m.save(to: export.appendingPathComponent("\(name)_\(net).safetensors").path)
            }
        }
        var dLosses: [Float] = [], gLosses: [Float] = []
        var images: [Tensor] = [], latents: [Tensor] = []
        for step in 0..<Self.steps {
            let batch = data.batch(step % data.batchesPerEpoch(batchSize: Self.batchSize), order: order, batchSize: Self.batchSize)
            let losses = Dictionary(uniqueKeysWithValues: try model.trainStep(TrainingBatch(images: batch.images, labels: batch.labels), batchesDone: step))
            dLosses.append(losses["d_loss"]!)
            gLosses.append(losses["g_loss"]!)
            images.append(batch.images)
            latents.append(Tensor.normal([Self.batchSize, model.latentDim], generator: replay))
        }
        if let export {
            try SafeTensors.write(StateDict([("images", Tensor.concat(images, dim: 0)), ("z", Tensor.concat(latents, dim: 0))]),
                                  to: export.appendingPathComponent("\(name)_inputs.safetensors").path)
            return
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixture)) as? [String: [String: [Double]]]
        let expected = try XCTUnwrap(json?[name], "no \(name) in \(Self.fixture.path)")
        for (key, ours, tolerance) in [("d_loss", dLosses, 1e-3), ("g_loss", gLosses, generatorLossTolerance)] {
            let theirs = try XCTUnwrap(expected[key])
            XCTAssertEqual(theirs.count, Self.steps)
            for (step, (a, b)) in zip(ours, theirs).enumerated() {
                // Float32 sums in a different order drift by ~1e-6 a step; a wrong sign, term
                // or update order is off by far more within a step or two.
                XCTAssertEqual(Double(a), b, accuracy: tolerance * abs(b) + 1e-7, "\(name) \(key) at step \(step)")
            }
        }
    }
}
