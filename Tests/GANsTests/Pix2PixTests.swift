import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// pix2pix at its smallest size (256: the U-Net halves the image 8 times), batch 1, on the
/// shared facades pairs.
final class Pix2PixTests: XCTestCase {
    /// The shared facades: `../shared/data/facades` from the package root (a worktree's
    /// package root is one folder deeper).
    static func facades() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for up in ["../shared/data/facades", "../../shared/data/facades"] {
            let dir = root.appendingPathComponent(up).standardizedFileURL
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("train").path) { return dir.path }
        }
        throw XCTSkip("the facades dataset is not in ../shared/data/facades")
    }

    static func config(extra: [String: Double] = [:], directory: String? = nil) throws -> ModelConfig {
        try Zoo.config(for: Pix2Pix.self, common: [:], extra: extra, data: DataOptions(directory: directory))
    }

    /// One model at the defaults for every test: building 57M parameters takes seconds in a
    /// debug build. No test depends on its weights (the training test compares with its own
    /// snapshot).
    nonisolated(unsafe) static var shared: Pix2Pix?
    static func model() throws -> Pix2Pix {
        if let shared { return shared }
        let m = Pix2Pix(config: try config(), seed: 0)
        shared = m
        return m
    }

    func testParameterCountsAndDefaults() throws {
        let config = try Self.config()
        XCTAssertEqual(config.common.batchSize, 1)
        XCTAssertEqual(config.common.imgSize, 256)
        XCTAssertEqual(config.common.channels, 3)
        XCTAssertEqual(config.common.nEpochs, 200)
        XCTAssertEqual(config.common.sampleInterval, 500)
        XCTAssertEqual(config.float("lambda-pixel"), 100)
        let model = try Self.model()
        let counts = Dictionary(uniqueKeysWithValues: model.networks.map { ($0.name, $0.module.parameterCount) })
        XCTAssertEqual(counts, ["generator": 54_404_099, "discriminator": 2_767_808])
        XCTAssertEqual(model.optimizers.map(\.name), ["optimizer_G", "optimizer_D"])
        XCTAssertEqual(model.randomStreams.map(\.name), ["dropout"])
        // Dropout: the paper's three decoder levels by default, the reference's nine with the flag.
        XCTAssertEqual(model.netG.modules().filter { $0 is Dropout }.count, 3)
        XCTAssertEqual(Array(model.netG.ups.prefix(3).map { $0.model.modules().contains { $0 is Dropout } }), [true, true, true])
        let reference = Pix2Pix.generatorConfig(try Self.config(extra: ["reference-dropout": 1]))
        XCTAssertEqual(reference.downDropoutLevels, [4, 5, 6, 7, 8])
        XCTAssertEqual(reference.upDropoutLevels, [1, 2, 3, 4])
        // Training splits: the paper's by default, the reference's with --train-on-test.
        XCTAssertEqual(Pix2Pix.data(for: config).trainSplits, ["train"])
        XCTAssertEqual(Pix2Pix.data(for: try Self.config(extra: ["train-on-test": 1])).trainSplits, ["train", "test"])
        XCTAssertTrue(Zoo.models.contains { $0 == Pix2Pix.self })
    }

    func testImageSizeIsValidated() {
        for size in [128, 192, 300] {
            XCTAssertThrowsError(try Zoo.config(for: Pix2Pix.self, common: ["img-size": Double(size)], extra: [:])) { error in
                XCTAssertTrue("\(error)".contains("multiple of 256"), "\(error)")
            }
        }
        XCTAssertNoThrow(try Zoo.config(for: Pix2Pix.self, common: ["img-size": 512], extra: [:]))
    }

    func testTrainsOnFacadesAndRoundTrips() throws {
        let config = try Self.config(directory: try Self.facades())
        let data = try TrainingData(Pix2Pix.self, config: config)
        XCTAssertEqual(data.format, .paired)
        let source = try data.batches(batchSize: 1, seed: 0)
        let model = try Self.model()
        let before = parameterSnapshot(model)
        for i in 0..<3 {
            let batch = try source.batch(i, epoch: 0)
            XCTAssertEqual(batch.images.shape, [1, 3, 256, 256])
            XCTAssertEqual(batch.imagesB?.shape, [1, 3, 256, 256])
            let losses = try model.trainStep(batch, batchesDone: i)
            XCTAssertEqual(losses.map(\.name), ["d_loss", "g_loss", "pixel", "adv"])
            for (name, value) in losses { XCTAssertTrue(value.isFinite, "\(name) = \(value) at iteration \(i)") }
        }
        // D's conv biases before instance norm cancel in it: their gradient is zero by construction.
        let invariant: Set<String> = ["discriminator.model.2.bias", "discriminator.model.5.bias", "discriminator.model.8.bias"]
        assertTrainableParametersChanged(model, since: before, exempt: invariant)

        // translate: the condition images to images in [-1, 1].
        let inputs = try source.examples(1).imagesB!
        let out = try checkedTranslations(model, inputs, shape: [1, 3, 256, 256], network: model.netG, wrongShape: [1, 3, 128, 128])

        // Checkpoint round trip: a model built with another seed translates identically.
        let copy = try restoredCopy(of: model, batchesDone: 3)
        XCTAssertEqual(try copy.translateForOutput(inputs).scalars, out.scalars, "translations after restore")
    }

    func testProgressGridHasTheReferenceLayout() throws {
        let model = try Self.model()
        XCTAssertEqual(model.progressExamples, 10)
        // Two examples (G at 256 px is slow in a debug build) of distinct constant images, so
        // the stacking order is visible.
        let a = Tensor.full([2, 3, 256, 256], 0.5), b = Tensor.full([2, 3, 256, 256], -0.5)
        let grid = withoutGrad { model.progressGrid(examples: TrainingBatch(images: a, imagesB: b)) }
        XCTAssertEqual(grid.rows, 5, "5 examples per row of the grid")
        XCTAssertEqual(grid.images.shape, [2, 3, 3 * 256, 256], "input / output / target stacked vertically")
        let tile = grid.images.slice(dim: 0, start: 0, end: 1)
        XCTAssertEqual(tile.slice(dim: 2, start: 0, end: 256).scalars, b.slice(dim: 0, start: 0, end: 1).scalars, "input (B) on top")
        XCTAssertEqual(tile.slice(dim: 2, start: 512, end: 768).scalars, a.slice(dim: 0, start: 0, end: 1).scalars, "target (A) below")
    }
}
