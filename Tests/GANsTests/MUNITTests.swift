import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// munit at 128 px (the smallest its discriminators' coarsest scale takes), batch 1, on the
/// shared edges2shoes as two independently drawn domains.
final class MUNITTests: XCTestCase {
    static func config(directory: String? = nil) throws -> ModelConfig {
        try Zoo.config(for: MUNIT.self, common: [:], extra: [:], data: DataOptions(directory: directory))
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
        for (common, extra, phrase) in [(["img-size": 64.0], [String: Double](), "at least 128"), ([:], ["dim": 0], "--dim"),
                                        ([:], ["lambda-style": -1], "--lambda-style")] {
            XCTAssertThrowsError(try Zoo.config(for: MUNIT.self, common: common, extra: extra)) { error in
                XCTAssertTrue("\(error)".contains(phrase), "\(error)")
            }
        }
    }

    /// One model trained 3 iterations (parameter counts, every parameter trained, its
    /// translations); another trained 1, checkpointed, restored and trained 2 more must end
    /// identical to it (losses, parameters, translations).
    func testTrainsResumesAndRoundTrips() throws {
        let config = try Self.config(directory: try BicycleGANTests.sharedData("edges2shoes"))
        let source = try TrainingData(MUNIT.self, config: config).batches(batchSize: 1, seed: 0)
        let batches = try (0..<3).map { try source.batch($0, epoch: 0) }
        let model = MUNIT(config: config, seed: 5)
        let counts = Dictionary(uniqueKeysWithValues: model.networks.map { ($0.name, $0.module.parameterCount) })
        XCTAssertEqual(counts, ["Enc1": 4_872_968, "Dec1": 5_432_067, "Enc2": 4_872_968, "Dec2": 5_432_067,
                                "D1": 8_283_459, "D2": 8_283_459])
        XCTAssertEqual(model.Enc1.contentEncoder.parameterCount, 4_205_696)
        XCTAssertEqual(model.Dec1.mlp.parameterCount, 857_600)
        XCTAssertEqual(model.Dec1.adaptiveNorms.reduce(0) { $0 + 2 * $1.numFeatures }, 3072)
        XCTAssertEqual(model.optimizers.map(\.name), ["optimizer_G", "optimizer_D1", "optimizer_D2"])
        XCTAssertEqual(model.randomStreams.map(\.name), ["styles"])
        XCTAssertTrue(model.generator === model.Dec2)

        let before = parameterSnapshot(model)
        var losses: [Float] = []
        for (i, batch) in batches.enumerated() {
            XCTAssertEqual(batch.images.shape, [1, 3, 128, 128])
            XCTAssertEqual(batch.imagesB?.shape, [1, 3, 128, 128])
            let step = try model.trainStep(batch, batchesDone: i)
            XCTAssertEqual(step.map(\.name), ["d_loss", "g_loss", "adv", "image", "style", "content"])
            for (name, value) in step { XCTAssertTrue(value.isFinite, "\(name) = \(value) at iteration \(i)") }
            losses += step.map(\.value)
        }
        // Conv biases before instance norm (and AdaIN) cancel in it: zero gradient by construction.
        var invariant = Set(["D1", "D2"].flatMap { d in (0..<3).flatMap { s in [2, 5, 8].map { "\(d).models.disc_\(s).\($0).bias" } } })
        for e in ["Enc1", "Enc2"] {
            invariant.formUnion([1, 4, 7].map { "\(e).content_encoder.model.\($0).bias" })
            for b in 10..<13 { invariant.formUnion([1, 5].map { "\(e).content_encoder.model.\(b).block.\($0).bias" }) }
        }
        for dec in ["Dec1", "Dec2"] {
            for b in 0..<3 { invariant.formUnion([1, 5].map { "\(dec).model.\(b).block.\($0).bias" }) }
        }
        assertTrainableParametersChanged(model, since: before, exempt: invariant)

        let inputs = try source.examples(2).images
        let out = try checkedTranslations(model, inputs, shape: [2, 3, 128, 128], network: model.Dec2, wrongShape: [1, 3, 64, 64])
        let rows = try model.outputRows(inputs, count: 3, generator: RandomGenerator(seed: 1))
        XCTAssertEqual(rows.shape, [2, 3, 128, 4 * 128])
        XCTAssertEqual(rows.slice(dim: 3, start: 0, end: 128).scalars, inputs.scalars, "each row starts with its input")
        XCTAssertGreaterThan(try model.diversity(inputs, count: 3, generator: RandomGenerator(seed: 1)), 0)

        let first = MUNIT(config: config, seed: 5)
        var resumedLosses = try first.trainStep(batches[0], batchesDone: 0).map(\.value)
        let resumed = try restoredCopy(of: first, seed: 5, batchesDone: 1)
        for i in 1..<3 { resumedLosses += try resumed.trainStep(batches[i], batchesDone: i).map(\.value) }
        XCTAssertEqual(resumedLosses, losses, "losses of the resumed run")
        for (a, b) in zip(parameterSnapshot(model), parameterSnapshot(resumed)) { XCTAssertEqual(a.values, b.values, "\(a.name) after resume") }
        XCTAssertEqual(try resumed.translateForOutput(inputs).scalars, out.scalars, "translations after the checkpoint round trip")
    }
}
