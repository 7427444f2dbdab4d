import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// dualgan at its smallest size (128: the U-Nets halve the image 7 times), batch 2, on the
/// shared facades as two independently drawn domains.
final class DualGANTests: XCTestCase {
    static func config(extra: [String: Double] = [:], directory: String? = nil) throws -> ModelConfig {
        try Zoo.config(for: DualGAN.self, common: ["batch-size": 2], extra: extra, data: DataOptions(directory: directory))
    }

    /// One model for the tests that do not train it (building 85M parameters takes seconds in
    /// a debug build).
    nonisolated(unsafe) static var shared: DualGAN?
    static func model() throws -> DualGAN {
        if let shared { return shared }
        let m = DualGAN(config: try config(), seed: 0)
        shared = m
        return m
    }

    func testParameterCountsAndDefaults() throws {
        let defaults = try Zoo.config(for: DualGAN.self, common: [:], extra: [:])
        XCTAssertEqual(defaults.common.batchSize, 8)
        XCTAssertEqual(defaults.common.imgSize, 128)
        XCTAssertEqual(defaults.common.channels, 3)
        XCTAssertEqual(defaults.common.nEpochs, 200)
        XCTAssertEqual(defaults.common.lr, 0.0002)
        XCTAssertEqual(defaults.common.b1, 0.5)
        XCTAssertEqual(defaults.common.b2, 0.999)
        XCTAssertEqual(defaults.common.sampleInterval, 200)
        XCTAssertEqual(defaults.int("n-critic"), 5)
        XCTAssertEqual(defaults.float("lambda-gp"), 10)
        XCTAssertEqual(defaults.float("lambda-cycle"), 10)
        let model = try Self.model()
        let counts = Dictionary(uniqueKeysWithValues: model.networks.map { ($0.name, $0.module.parameterCount) })
        XCTAssertEqual(counts, ["G_AB": 41_828_995, "G_BA": 41_828_995, "D_A": 663_745, "D_B": 663_745])
        XCTAssertEqual(model.networks.map(\.name), ["G_AB", "G_BA", "D_A", "D_B"])
        XCTAssertTrue(model.generator === model.gBA, "gan sample translates B -> A")
        XCTAssertEqual(model.optimizers.map(\.name), ["optimizer_G", "optimizer_D_A", "optimizer_D_B"])
        XCTAssertEqual(model.randomStreams.map(\.name), ["dropout", "penalty"])
        XCTAssertEqual(model.iterationsPerCycle, 5)
        let data = DualGAN.data(for: defaults)
        XCTAssertEqual(data.kind, .unpaired)
        XCTAssertEqual(data.defaultDataset, "edges2shoes")
        XCTAssertEqual(data.fit, .stretch)
        XCTAssertTrue(data.flip)
        XCTAssertTrue(Zoo.models.contains { $0 == DualGAN.self })
        // Critic: batch norms with eps 0.8, unpadded last conv (14x14 scores at 128 px).
        XCTAssertEqual(model.dA.modules().compactMap { ($0 as? BatchNorm2d)?.eps }, [0.8, 0.8])
        XCTAssertEqual(withoutGrad { model.dA.eval(); defer { model.dA.train() }; return model.dA(Tensor.zeros([1, 3, 128, 128])).shape },
                       [1, 1, 14, 14])
    }

    func testOptionsAreValidated() {
        for size in [64, 192, 256 + 64] {
            XCTAssertThrowsError(try Zoo.config(for: DualGAN.self, common: ["img-size": Double(size)], extra: [:])) { error in
                XCTAssertTrue("\(error)".contains("multiple of 128"), "\(error)")
            }
        }
        XCTAssertNoThrow(try Zoo.config(for: DualGAN.self, common: ["img-size": 256], extra: [:]))
        XCTAssertThrowsError(try Zoo.config(for: DualGAN.self, common: [:], extra: ["n-critic": 0]))
        XCTAssertThrowsError(try Zoo.config(for: DualGAN.self, common: [:], extra: ["lambda-cycle": -1]))
        XCTAssertThrowsError(try Zoo.config(for: DualGAN.self, common: [:], extra: ["lambda-gp": -1]))
    }

    func testTrainsOnFacadesAndRoundTrips() throws {
        let config = try Self.config(directory: try ReferenceParity.facades())
        let data = try TrainingData(DualGAN.self, config: config)
        XCTAssertEqual(data.format, .paired)
        let source = try data.batches(batchSize: 2, seed: 0)
        let model = DualGAN(config: config, seed: 0)
        let before = parameterSnapshot(model)
        var carriedG: Float = 0
        for i in 0..<5 {
            let batch = try source.batch(i, epoch: 0)
            XCTAssertEqual(batch.images.shape, [2, 3, 128, 128])
            XCTAssertEqual(batch.imagesB?.shape, [2, 3, 128, 128])
            let losses = try model.trainStep(batch, batchesDone: i)
            XCTAssertEqual(losses.map(\.name), ["d_loss", "g_loss", "adv", "cycle"])
            for (name, value) in losses { XCTAssertTrue(value.isFinite, "\(name) = \(value) at iteration \(i)") }
            // The generator steps on batch 0; its losses are carried through batches 1-4.
            if i == 0 { carriedG = losses[1].value } else { XCTAssertEqual(losses[1].value, carriedG, "g_loss carried at \(i)") }
        }
        XCTAssertEqual(model.carriedLosses["g_loss"], carriedG)
        // By construction zero gradients: the conv biases before the critics' batch norms (a
        // shift the batch mean removes) and the critics' last bias (it cancels in
        // D(real) - D(fake), and the penalty does not depend on it).
        var invariant: Set<String> = []
        for d in ["D_A", "D_B"] { invariant.formUnion(["\(d).model.2.bias", "\(d).model.5.bias", "\(d).model.9.bias"]) }
        assertTrainableParametersChanged(model, since: before, exempt: invariant)

        // translate: B images to A images in [-1, 1].
        let inputs = try source.examples(1).imagesB!
        let out = try checkedTranslations(model, inputs, shape: [1, 3, 128, 128], network: model.gBA, wrongShape: [1, 3, 64, 64])

        // Checkpoint round trip: a model built with another seed translates identically and
        // reports the carried generator losses.
        let copy = try restoredCopy(of: model, batchesDone: 5)
        XCTAssertEqual(try copy.translateForOutput(inputs).scalars, out.scalars, "translations after restore")
        XCTAssertEqual(copy.carriedLosses, model.carriedLosses, "carried losses after restore")
    }

    func testProgressGridHasTheReferenceLayout() throws {
        let model = try Self.model()
        XCTAssertEqual(model.progressExamples, 16)
        let a = Tensor.full([2, 3, 128, 128], 0.5), b = Tensor.full([2, 3, 128, 128], -0.5)
        let grid = withoutGrad { model.progressGrid(examples: TrainingBatch(images: a, imagesB: b)) }
        XCTAssertEqual(grid.rows, 8, "8 tiles per row of the grid")
        XCTAssertEqual(grid.images.shape, [4, 3, 256, 128], "input over output; A -> B tiles, then B -> A")
        XCTAssertEqual(grid.images.slice(dim: 0, start: 0, end: 2).slice(dim: 2, start: 0, end: 128).scalars, a.scalars, "A on top of the first tiles")
        XCTAssertEqual(grid.images.slice(dim: 0, start: 2, end: 4).slice(dim: 2, start: 0, end: 128).scalars, b.scalars, "B on top of the last tiles")
        let expectedFakeA = try withoutGrad { () throws -> Tensor in
            model.gBA.eval()
            defer { model.gBA.train() }
            return model.gBA(b)
        }
        XCTAssertEqual(grid.images.slice(dim: 0, start: 2, end: 4).slice(dim: 2, start: 128, end: 256).scalars, expectedFakeA.scalars,
                       "G_BA(B) below B")
        XCTAssertTrue(model.gAB.isTraining && model.gBA.isTraining, "the picture restores training mode")
    }

    /// PyTorch-GAN's dualgan Generator and Discriminator with formula weights and inputs: G in
    /// eval mode, the batch-normed critic in eval and train mode, and the critic loss with the
    /// gradient penalty (a gradient of a gradient through batch norm).
    func testMatchesReferenceNetworks() throws {
        let f = try ReferenceParity.fixture("dualgan")
        let g = UNetGenerator(.dualgan())
        let (gCase, gShape) = try ReferenceParity.prepare(g, f["G"], "dualgan G")
        g.eval()
        try ReferenceParity.check(withoutGrad { g(ReferenceParity.input(gShape)) }, gCase["eval"], "dualgan G (eval)")

        let d = DualGAN.critic(channels: 3, generator: RandomGenerator(seed: 0))
        let (dCase, dShape) = try ReferenceParity.prepare(d, f["D"], "dualgan D")
        let x = ReferenceParity.input(dShape)
        d.eval()
        try ReferenceParity.check(withoutGrad { d(x) }, dCase["eval"], "dualgan D (eval)")
        d.train()
        try ReferenceParity.check(withoutGrad { d(x) }, dCase["train"], "dualgan D (train, batch statistics)")
        let p = try XCTUnwrap(dCase["penalty"] as? [String: Any])
        ReferenceParity.fill(d, scale: try XCTUnwrap(p["weight_scale"] as? Double))
        let alphas = try XCTUnwrap(p["alpha"] as? [Double]).map { Float($0) }
        let alpha = Tensor(shape: [alphas.count, 1, 1, 1], scalars: alphas)
        let fake = ReferenceParity.input(dShape, 1)
        let norms = try inputGradientNorms(d.callAsFunction, at: interpolates(x, fake, alpha: alpha))
        let expectedNorms = try XCTUnwrap(p["gradient_norms"] as? [Double])
        for (ours, theirs) in zip(norms.scalars, expectedNorms) {
            XCTAssertEqual(Double(ours), theirs, accuracy: 1e-4 * Swift.max(1, theirs), "input gradient norm")
        }
        print("parity dualgan critic: input gradient norms \(norms.scalars) (PyTorch \(expectedNorms))")
        let gp = (norms - 1).square().mean()
        let loss = -d(x).mean() + d(fake).mean() + 10 * gp
        let expectedGP = try XCTUnwrap(p["gradient_penalty"] as? Double), expectedLoss = try XCTUnwrap(p["critic_loss"] as? Double)
        print("parity dualgan critic: gradient penalty \(gp.item()) (PyTorch \(expectedGP)), loss \(loss.item()) (PyTorch \(expectedLoss))")
        XCTAssertEqual(Double(gp.item()), expectedGP, accuracy: 1e-4 * Swift.max(1, abs(expectedGP)), "gradient penalty")
        // The loss's weight gradients, through the penalty's double backward.
        let weights = d.stateDict()
        let grads = try Autograd.grad(of: [loss], withRespectTo: ["model.0.weight", "model.2.weight", "model.9.weight"].map { weights[$0]! },
                                      seeds: [Tensor.ones(loss.shape)], createGraph: false)
        let expectedGrads = try XCTUnwrap(p["weight_gradients"] as? [String: Any])
        for (key, grad) in zip(["model.0.weight", "model.2.weight", "model.9.weight"], grads) {
            try ReferenceParity.check(try XCTUnwrap(grad), expectedGrads[key], "dualgan critic loss gradient \(key)", relative: true)
        }
        XCTAssertEqual(Double(loss.item()), expectedLoss, accuracy: 1e-4 * Swift.max(1, abs(expectedLoss)), "critic loss")
    }
}
