import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// ccgan and context_encoder on the shared CelebA faces at small sizes: defaults, three
/// training iterations, holes, pictures and a checkpoint round trip (their resume test is in
/// ImageModelResumeTests).
final class InpaintingModelTests: XCTestCase {
    static func faces() throws -> String { try sharedData("celeba").path }

    static func ccganConfig(_ extra: [String: Double] = [:]) throws -> ModelConfig {
        try Zoo.config(for: CCGAN.self, common: ["img-size": 64, "batch-size": 2], extra: ["mask-size": 16].merging(extra) { $1 },
                       data: DataOptions(directory: try faces()))
    }

    static func contextEncoderConfig(_ extra: [String: Double] = [:]) throws -> ModelConfig {
        try Zoo.config(for: ContextEncoder.self, common: ["img-size": 32, "batch-size": 2], extra: extra, data: DataOptions(directory: try faces()))
    }

    /// Three iterations on the first batches of a run of seed 3; every loss finite, every
    /// trainable parameter moved.
    func trainThree<M: GANModel>(_ model: M) throws -> [Losses] {
        let source = try TrainingData(M.self, config: model.config).batches(batchSize: model.config.common.batchSize, seed: 3)
        let before = parameterSnapshot(model)
        try model.prepareToTrain()
        let losses = try (0..<3).map { try model.trainStep(try source.batch($0, epoch: 0), batchesDone: $0) }
        for l in losses.joined() { XCTAssertTrue(l.value.isFinite, "\(M.info.name) \(l.name)") }
        // Biases right before an instance norm cancel in it: zero gradient by construction.
        assertTrainableParametersChanged(model, since: before, exempt: ["discriminator.model.3.bias", "discriminator.model.6.bias", "discriminator.model.9.bias"])
        return losses
    }

    func testDefaults() throws {
        let cc = try Zoo.config(for: CCGAN.self, common: [:], extra: [:])
        XCTAssertEqual([cc.common.batchSize, cc.common.imgSize, cc.common.channels, cc.common.sampleInterval, cc.int("mask-size")], [8, 128, 3, 500, 32])
        let ccData = CCGAN.data(for: cc)
        XCTAssertEqual(ccData.kind, .masked)
        XCTAssertEqual([ccData.holeSize, ccData.heldOut], [32, 1000])
        XCTAssertEqual(ccData.fit, .stretch)
        XCTAssertFalse(ccData.centredHole)
        let ce = try Zoo.config(for: ContextEncoder.self, common: [:], extra: [:])
        XCTAssertEqual([ce.common.batchSize, ce.common.imgSize, ce.common.sampleInterval], [8, 128, 500])
        XCTAssertEqual(ContextEncoder.data(for: ce).holeSize, 64)
        XCTAssertEqual(ce.float("lambda-adv"), 0.001)
        XCTAssertEqual(try Zoo.model(named: "context-encoder").info.name, "context_encoder")
        XCTAssertEqual(try Zoo.model(named: "ccgan").info.name, "ccgan")
        XCTAssertThrowsError(try Zoo.config(for: CCGAN.self, common: ["img-size": 96], extra: [:]))
        XCTAssertThrowsError(try Zoo.config(for: CCGAN.self, common: [:], extra: ["mask-size": 128]))
        XCTAssertThrowsError(try Zoo.config(for: ContextEncoder.self, common: ["img-size": 48], extra: [:]))
    }

    func testHoles() {
        let images = Tensor(shape: [2, 1, 4, 4], scalars: (0..<32).map { Float($0) })
        let holes = Holes([(x: 1, y: 0), (x: 2, y: 2)], size: 2)
        XCTAssertEqual(holes.masked(images, fill: -1).scalars,
                       [0, -1, -1, 3, 4, -1, -1, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                        16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, 28, 29, -1, -1])
        XCTAssertEqual(holes.contents(images).scalars, [1, 2, 5, 6, 26, 27, 30, 31])
        let patches = Tensor(shape: [2, 1, 2, 2], scalars: [-5, -6, -7, -8, -9, -10, -11, -12])
        XCTAssertEqual(holes.pasted(patches, into: images).scalars,
                       [0, -5, -6, 3, 4, -7, -8, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                        16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -9, -10, 28, 29, -11, -12])
    }

    func testCCGANTrainsAndRoundTrips() throws {
        let model = CCGAN(config: try Self.ccganConfig(), seed: 1)
        let losses = try trainThree(model)
        XCTAssertEqual(losses[0].map(\.name), ["d_loss", "g_loss"])
        // The low-resolution input is made from the masked image: the hole is in it too.
        let batch = try TrainingData(CCGAN.self, config: model.config).batches(batchSize: 2, seed: 3).batch(0, epoch: 0)
        let (masked, low) = model.inputs(batch)
        XCTAssertEqual(low.scalars, avgPool2d(masked, kernelSize: 4).scalars)
        XCTAssertEqual(low.shape, [2, 3, 16, 16])
        let leaky = CCGAN(config: try Self.ccganConfig(["reference-low-resolution": 1]), seed: 1)
        XCTAssertEqual(leaky.inputs(batch).lowResolution.scalars, avgPool2d(batch.images, kernelSize: 4).scalars)

        let copy = try restoredCopy(of: model)
        let probe = Holes(batch.holes, size: 16).masked(batch.images, fill: -1)
        XCTAssertEqual(try model.translateForOutput(probe).scalars, try copy.translateForOutput(probe).scalars)
        // A region filled: the rest of the image unchanged.
        let region = ImageRegion(x: 5, y: 9, width: 20, height: 11)
        let filled = try model.fill(batch.images, region: region)
        let outside = 1 - region.mask(count: 2, height: 64, width: 64)
        XCTAssertEqual((filled * outside).scalars, (batch.images * outside).scalars)
        XCTAssertNotEqual(filled.scalars, batch.images.scalars)
        XCTAssertThrowsError(try model.fill(batch.images, region: ImageRegion(x: 60, y: 0, width: 8, height: 8)))
        let grid = model.progressGrid(examples: batch)
        XCTAssertEqual(grid.images.shape, [2, 3, 192, 64])
    }

    func testContextEncoderTrainsAndRoundTrips() throws {
        let model = ContextEncoder(config: try Self.contextEncoderConfig(), seed: 1)
        let losses = try trainThree(model)
        XCTAssertEqual(losses[0].map(\.name), ["d_loss", "g_adv", "g_pixel"])
        let source = try TrainingData(ContextEncoder.self, config: model.config).batches(batchSize: 2, seed: 3)
        let examples = try source.examples(3)
        XCTAssertTrue(examples.holes.allSatisfy { $0 == (8, 8) }, "pictures use centred holes")
        let copy = try restoredCopy(of: model)
        let filled = try model.inpaint(examples.images, x: 4, y: 10)
        XCTAssertEqual(filled.scalars, try copy.inpaint(examples.images, x: 4, y: 10).scalars)
        // Outside the hole the image is untouched.
        let outside = 1 - Holes(x: 4, y: 10, size: 16, count: 3).mask(height: 32, width: 32)
        XCTAssertEqual((filled * outside).scalars, (examples.images * outside).scalars)
        XCTAssertEqual(model.progressGrid(examples: examples).images.shape, [3, 3, 96, 32])
        // A region near the corner: G paints the 16x16 square moved inside the image.
        let region = ImageRegion(x: 25, y: 1, width: 6, height: 5)
        let regionFilled = try model.fill(examples.images, region: region)
        let keep = 1 - region.mask(count: 3, height: 32, width: 32)
        XCTAssertEqual((regionFilled * keep).scalars, (examples.images * keep).scalars)
        XCTAssertEqual(((regionFilled - (try model.inpaint(examples.images, x: 16, y: 0))) * (1 - keep)).abs().max().item(), 0)
        XCTAssertThrowsError(try model.fill(examples.images, region: ImageRegion(x: 0, y: 0, width: 17, height: 4)))
    }

    func testHeldOutFacesAreNotTrainedOn() throws {
        let data = try TrainingData(ContextEncoder.self, config: try Self.contextEncoderConfig())
        let held = try data.heldOutImages()
        XCTAssertEqual(held.count, 1000)
        XCTAssertEqual(held.first?.lastPathComponent, "009001.jpg")
        XCTAssertEqual(try data.batches(batchSize: 2, seed: 0).count, 9000)
    }
}
