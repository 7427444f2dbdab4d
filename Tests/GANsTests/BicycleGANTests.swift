import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// bicyclegan at its size (128: ResNet-18's layer3 must be 8x8), batch 1, on the shared
/// edges2shoes pairs.
final class BicycleGANTests: XCTestCase {
    /// `../shared/data/NAME` from the package root (a worktree's package root is one folder deeper).
    static func sharedData(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for up in ["../shared/data/\(name)", "../../shared/data/\(name)"] {
            let dir = root.appendingPathComponent(up).standardizedFileURL
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("train").path) { return dir.path }
        }
        throw XCTSkip("the \(name) dataset is not in ../shared/data/\(name)")
    }

    static func config(directory: String? = nil) throws -> ModelConfig {
        try Zoo.config(for: BicycleGAN.self, common: ["batch-size": 1], extra: [:], data: DataOptions(directory: directory))
    }

    func testDefaultsAndOptions() throws {
        let defaults = try Zoo.config(for: BicycleGAN.self, common: [:], extra: [:])
        XCTAssertEqual(defaults.common.batchSize, 8)
        XCTAssertEqual(defaults.common.imgSize, 128)
        XCTAssertEqual(defaults.common.latentDim, 8)
        XCTAssertEqual(defaults.common.sampleInterval, 400)
        XCTAssertEqual(defaults.float("lambda-pixel"), 10)
        XCTAssertEqual(defaults.float("lambda-latent"), 0.5)
        XCTAssertEqual(defaults.float("lambda-kl"), 0.01)
        XCTAssertEqual(BicycleGAN.info.data.kind, .pairs)
        XCTAssertEqual(BicycleGAN.info.data.defaultDataset, "edges2shoes")
        XCTAssertTrue(Zoo.models.contains { $0 == BicycleGAN.self })
        for (common, extra, phrase) in [(["img-size": 256.0], [String: Double](), "--img-size 128"), (["channels": 1], [:], "--channels 3"),
                                        ([:], ["lambda-kl": -1], "--lambda-kl")] {
            XCTAssertThrowsError(try Zoo.config(for: BicycleGAN.self, common: common, extra: extra)) { error in
                XCTAssertTrue("\(error)".contains(phrase), "\(error)")
            }
        }
    }

    /// A model trained 3 iterations (every parameter trained, its translations), and a copy
    /// restored from its checkpoint after the first and trained on the same 2 batches: the
    /// same losses, parameters and translations.
    func testTrainsResumesAndRoundTrips() throws {
        let config = try Self.config(directory: try Self.sharedData("edges2shoes"))
        let source = try TrainingData(BicycleGAN.self, config: config).batches(batchSize: 1, seed: 0)
        let batches = try (0..<3).map { try source.batch($0, epoch: 0) }
        let model = BicycleGAN(config: config, seed: 5)
        let counts = Dictionary(uniqueKeysWithValues: model.networks.map { ($0.name, $0.module.parameterCount) })
        XCTAssertEqual(counts, ["generator": 23_680_259, "encoder": 2_786_896, "D_VAE": 8_288_835, "D_LR": 8_288_835])
        XCTAssertEqual(model.optimizers.map(\.name), ["optimizer_E", "optimizer_G", "optimizer_D_VAE", "optimizer_D_LR"])
        XCTAssertEqual(model.randomStreams.map(\.name), ["latent"])

        let before = parameterSnapshot(model)
        var losses: [Float] = [], resumedLosses: [Float] = []
        var resumed: BicycleGAN?
        for (i, batch) in batches.enumerated() {
            XCTAssertEqual(batch.images.shape, [1, 3, 128, 128])
            let step = try model.trainStep(batch, batchesDone: i)
            XCTAssertEqual(step.map(\.name), ["d_vae", "d_lr", "g_loss", "pixel", "kl", "latent"])
            for (name, value) in step { XCTAssertTrue(value.isFinite, "\(name) = \(value) at iteration \(i)") }
            losses += step.map(\.value)
            if let resumed { resumedLosses += try resumed.trainStep(batch, batchesDone: i).map(\.value) }
            if i == 0 { resumed = try restoredCopy(of: model, seed: 5, batchesDone: 1) }
        }
        XCTAssertEqual(resumedLosses, Array(losses.dropFirst(losses.count / 3)), "losses of the resumed run")
        // The Ds' conv biases before batch norm cancel in it (zero gradient by construction).
        let invariant = Set(["D_VAE", "D_LR"].flatMap { d in (0..<3).flatMap { s in [2, 5, 8].map { "\(d).models.disc_\(s).\($0).bias" } } })
        assertTrainableParametersChanged(model, since: before, exempt: invariant)

        // translate: the zero code; several codes give several outputs.
        let inputs = try source.examples(2).images
        let out = try checkedTranslations(model, inputs, shape: [2, 3, 128, 128], network: model.generatorNet, wrongShape: [1, 3, 64, 64])
        let rows = try model.outputRows(inputs, count: 3, generator: RandomGenerator(seed: 1))
        XCTAssertEqual(rows.shape, [2, 3, 128, 4 * 128])
        XCTAssertEqual(rows.slice(dim: 3, start: 0, end: 128).scalars, inputs.scalars, "each row starts with its input")
        XCTAssertGreaterThan(try model.diversity(inputs, count: 3, generator: RandomGenerator(seed: 1)), 0)

        for (a, b) in zip(parameterSnapshot(model), parameterSnapshot(try XCTUnwrap(resumed))) { XCTAssertEqual(a.values, b.values, "\(a.name) after resume") }
        XCTAssertEqual(try XCTUnwrap(resumed).translateForOutput(inputs).scalars, out.scalars, "translations after the checkpoint round trip")
    }
}
