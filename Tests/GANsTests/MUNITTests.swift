import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// munit at 128 px (the smallest its discriminators' coarsest scale takes), batch 1, on the
/// shared edges2shoes as two independently drawn domains.
final class MUNITTests: XCTestCase {
    static func config(extra: [String: Double] = [:], directory: String? = nil) throws -> ModelConfig {
        try Zoo.config(for: MUNIT.self, common: [:], extra: extra, data: DataOptions(directory: directory))
    }

    func testDefaultsAndOptions() throws {
        let defaults = try Self.config()
        XCTAssertEqual(defaults.common.batchSize, 1)
        XCTAssertEqual(defaults.common.lr, 0.0001)
        XCTAssertEqual(defaults.common.imgSize, 128)
        XCTAssertEqual(defaults.common.latentDim, 8)
        XCTAssertEqual(defaults.int("dim"), 64)
        XCTAssertEqual(defaults.int("n-downsample"), 2)
        XCTAssertEqual(defaults.int("n-residual"), 3)
        XCTAssertEqual(defaults.float("lambda-image"), 10)
        XCTAssertEqual(defaults.float("lambda-style"), 1)
        XCTAssertEqual(defaults.float("lambda-content"), 1)
        XCTAssertEqual(defaults.int("decay-epoch"), 100)
        XCTAssertEqual(MUNIT.info.data.defaultDataset, "edges2shoes")
        XCTAssertTrue(Zoo.models.contains { $0 == MUNIT.self })
        let model = MUNIT(config: defaults, seed: 0)
        let counts = Dictionary(uniqueKeysWithValues: model.networks.map { ($0.name, $0.module.parameterCount) })
        XCTAssertEqual(counts, ["Enc1": 4_872_968, "Dec1": 5_432_067, "Enc2": 4_872_968, "Dec2": 5_432_067,
                                "D1": 8_283_459, "D2": 8_283_459])
        XCTAssertEqual(model.Enc1.contentEncoder.parameterCount, 4_205_696)
        XCTAssertEqual(model.Dec1.mlp.parameterCount, 857_600)
        XCTAssertEqual(model.Dec1.adaptiveNorms.reduce(0) { $0 + 2 * $1.numFeatures }, 3072)
        XCTAssertEqual(model.optimizers.map(\.name), ["optimizer_G", "optimizer_D1", "optimizer_D2"])
        XCTAssertEqual(model.randomStreams.map(\.name), ["styles"])
        XCTAssertTrue(model.generator === model.Dec2)
        for (common, extra, phrase) in [(["img-size": 64.0], [String: Double](), "at least 128"), ([:], ["dim": 0], "--dim"),
                                        ([:], ["lambda-style": -1], "--lambda-style")] {
            XCTAssertThrowsError(try Zoo.config(for: MUNIT.self, common: common, extra: extra)) { error in
                XCTAssertTrue("\(error)".contains(phrase), "\(error)")
            }
        }
    }

    /// A model with one residual block per encoder and decoder trained 3 iterations (every parameter trained, its translations), and a copy
    /// restored from its checkpoint after the first and trained on the same 2 batches: the
    /// same losses, parameters and translations.
    func testTrainsResumesAndRoundTrips() throws {
        // Narrower networks than the defaults (the same layers), so that a debug build trains them in seconds.
        let config = try Self.config(extra: ["dim": 16, "n-residual": 1], directory: try BicycleGANTests.sharedData("edges2shoes"))
        let source = try TrainingData(MUNIT.self, config: config).batches(batchSize: 1, seed: 0)
        let batches = try (0..<3).map { try source.batch($0, epoch: 0) }
        let model = MUNIT(config: config, seed: 5)

        let before = parameterSnapshot(model)
        var losses: [Float] = [], resumedLosses: [Float] = []
        var resumed: MUNIT?
        for (i, batch) in batches.enumerated() {
            XCTAssertEqual(batch.images.shape, [1, 3, 128, 128])
            let step = try model.trainStep(batch, batchesDone: i)
            XCTAssertEqual(step.map(\.name), ["d_loss", "g_loss", "adv", "image", "style", "content"])
            for (name, value) in step { XCTAssertTrue(value.isFinite, "\(name) = \(value) at iteration \(i)") }
            losses += step.map(\.value)
            if let resumed { resumedLosses += try resumed.trainStep(batch, batchesDone: i).map(\.value) }
            if i == 0 { resumed = try restoredCopy(of: model, seed: 5, batchesDone: 1) }
        }
        XCTAssertEqual(resumedLosses, Array(losses.dropFirst(losses.count / 3)), "losses of the resumed run")
        // Conv biases before instance norm (and AdaIN) cancel in it: zero gradient by construction.
        var invariant = Set(["D1", "D2"].flatMap { d in (0..<3).flatMap { s in [2, 5, 8].map { "\(d).models.disc_\(s).\($0).bias" } } })
        for e in ["Enc1", "Enc2"] {
            invariant.formUnion([1, 4, 7].map { "\(e).content_encoder.model.\($0).bias" })
            for b in 10..<11 { invariant.formUnion([1, 5].map { "\(e).content_encoder.model.\(b).block.\($0).bias" }) }
        }
        for dec in ["Dec1", "Dec2"] {
            for b in 0..<1 { invariant.formUnion([1, 5].map { "\(dec).model.\(b).block.\($0).bias" }) }
        }
        assertTrainableParametersChanged(model, since: before, exempt: invariant)

        let inputs = try source.examples(2).images
        let out = try checkedTranslations(model, inputs, shape: [2, 3, 128, 128], network: model.Dec2, wrongShape: [1, 3, 64, 64])
        let rows = try model.outputRows(inputs, count: 3, generator: RandomGenerator(seed: 1))
        XCTAssertEqual(rows.shape, [2, 3, 128, 4 * 128])
        XCTAssertEqual(rows.slice(dim: 3, start: 0, end: 128).scalars, inputs.scalars, "each row starts with its input")
        XCTAssertGreaterThan(try model.diversity(inputs, count: 3, generator: RandomGenerator(seed: 1)), 0)

        for (a, b) in zip(parameterSnapshot(model), parameterSnapshot(try XCTUnwrap(resumed))) { XCTAssertEqual(a.values, b.values, "\(a.name) after resume") }
        XCTAssertEqual(try XCTUnwrap(resumed).translateForOutput(inputs).scalars, out.scalars, "translations after the checkpoint round trip")

        // gan eval: the diversity of 8 outputs for one validation input beside the paired scores.
        let report = try TranslationEvaluation.run(model, limit: 1)
        XCTAssertEqual(report.files.count, 1)
        let diversity = try XCTUnwrap(report.diversity)
        XCTAssertTrue(diversity > 0 && diversity < 1, "\(diversity)")
        XCTAssertTrue(report.table.contains("Diversity"), report.table)
        XCTAssertTrue(report.json.contains("\"diversity\""), report.json)
    }
}
