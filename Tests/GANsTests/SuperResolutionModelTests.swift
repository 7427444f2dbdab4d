import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// srgan and esrgan on crops of the shared BSDS500 photos at 32 px (8 px inputs): defaults,
/// VGG19 weights from a safetensors file with torchvision's names (random weights written
/// here), the missing-weights sentence, three training iterations, pictures and a checkpoint
/// round trip (their resume test is in ImageModelResumeTests).
final class SuperResolutionModelTests: XCTestCase {
    static func photos() throws -> String { try sharedData("BSDS500").path }

    /// A VGG19 of random weights as torchvision's state dict (its feature layers through
    /// conv5_4 and one classifier tensor, which loading ignores), written once.
    nonisolated(unsafe) static var vggFile: String?
    static func randomVGG19() throws -> String {
        if let vggFile { return vggFile }
        var dict = VGG19Features(layers: VGG19Features.relu5_4, generator: RandomGenerator(seed: 7)).stateDict()
        dict.set("classifier.0.weight", Tensor.ones([4, 2]))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("swiftgan-vgg19-\(UUID().uuidString).safetensors").path
        try SafeTensors.write(dict, to: path)
        vggFile = path
        // Other test classes use it too, so it goes when the test process ends.
        atexit { if let file = SuperResolutionModelTests.vggFile { unlink(file) } }
        return path
    }

    static func config<M: GANModel>(_ type: M.Type, _ extra: [String: Double] = [:], vgg: Bool = true) throws -> ModelConfig {
        var c = try Zoo.config(for: type, common: ["img-size": 32, "batch-size": 2], extra: extra, data: DataOptions(directory: try photos()))
        if vgg { c.files["vgg19"] = try randomVGG19() }
        return c
    }

    static func esrganConfig(_ extra: [String: Double] = [:]) throws -> ModelConfig {
        try config(ESRGAN.self, ["residual-blocks": 2, "warmup-batches": 1].merging(extra) { $1 })
    }

    func trainThree<M: GANModel>(_ model: M, exempt: Set<String> = []) throws -> [Losses] {
        let source = try TrainingData(M.self, config: model.config).batches(batchSize: 2, seed: 3)
        let before = parameterSnapshot(model)
        try model.prepareToTrain()
        let losses = try (0..<3).map { try model.trainStep(try source.batch($0, epoch: 0), batchesDone: $0) }
        for l in losses.joined() { XCTAssertTrue(l.value.isFinite, "\(M.info.name) \(l.name)") }
        assertTrainableParametersChanged(model, since: before, exempt: exempt)
        return losses
    }

    func testDefaults() throws {
        let sr = try Zoo.config(for: SRGAN.self, common: [:], extra: [:])
        XCTAssertEqual([sr.common.batchSize, sr.common.imgSize, sr.int("n-residual-blocks")], [4, 96, 16])
        XCTAssertEqual(sr.float("lambda-adv"), 0.001)
        XCTAssertEqual(SRGAN.data(for: sr).normalization, .symmetric)
        XCTAssertEqual(SRGAN.data(for: try Zoo.config(for: SRGAN.self, common: [:], extra: ["imagenet-normalization": 1])).normalization, .imagenet)
        XCTAssertEqual(SRGAN.info.data.fit, .crop)
        XCTAssertEqual(SRGAN.info.data.defaultDataset, "bsds500")
        let es = try Zoo.config(for: ESRGAN.self, common: [:], extra: [:])
        XCTAssertEqual([es.common.batchSize, es.common.imgSize, es.int("residual-blocks"), es.int("warmup-batches")], [4, 128, 23, 500])
        XCTAssertEqual([es.common.b1, es.common.b2, es.float("lambda-adv"), es.float("lambda-pixel"), es.float("negative-slope")], [0.9, 0.999, 5e-3, 1e-2, 0.2])
        XCTAssertEqual(ESRGAN.info.data.normalization, .imagenet)
        XCTAssertThrowsError(try Zoo.config(for: SRGAN.self, common: ["img-size": 40], extra: [:]))
        XCTAssertThrowsError(try Zoo.config(for: ESRGAN.self, common: ["channels": 1], extra: [:]))
    }

    func testVGG19LoadsTorchvisionNames() throws {
        let path = try Self.randomVGG19()
        let net = try VGG19Features.load(path, layers: VGG19Features.conv5_4)
        let names = net.stateDict().names
        XCTAssertEqual(names.count, 32)
        XCTAssertEqual(Array(names.prefix(4)), ["features.0.weight", "features.0.bias", "features.2.weight", "features.2.bias"])
        XCTAssertEqual(Array(names.suffix(2)), ["features.34.weight", "features.34.bias"])
        let file = try SafeTensors.read(path)
        XCTAssertEqual(net.stateDict()["features.34.weight"]!.scalars, file["features.34.weight"]!.scalars)
        XCTAssertTrue(net.parameters().allSatisfy { !$0.requiresGrad }, "frozen")
        XCTAssertFalse(net.isTraining)

        // A file without the deeper layers names what it lacks.
        var shallow = StateDict()
        for name in file.names where name.hasPrefix("features.") && Int(name.split(separator: ".")[1])! < 18 { shallow.set(name, file[name]!) }
        let shallowPath = path + ".shallow.safetensors"
        try SafeTensors.write(shallow, to: shallowPath)
        defer { try? FileManager.default.removeItem(atPath: shallowPath) }
        XCTAssertNoThrow(try VGG19Features.load(shallowPath, layers: VGG19Features.relu3_4))
        XCTAssertThrowsError(try VGG19Features.load(shallowPath, layers: VGG19Features.conv5_4)) { error in
            XCTAssertEqual("\(error)", "--vgg19 \(shallowPath) is not torchvision's VGG19: it lacks features.19.weight, features.19.bias, features.21.weight and 13 more")
        }
        XCTAssertThrowsError(try VGG19Features.load("/nonexistent/vgg19.safetensors", layers: 18)) { error in
            XCTAssertTrue("\(error)".hasPrefix("--vgg19 /nonexistent/vgg19.safetensors: safetensors file /nonexistent/vgg19.safetensors: cannot open"), "\(error)")
        }
    }

    func testMissingVGG19StopsBeforeTheFirstStep() throws {
        for model in [SRGAN(config: try Self.config(SRGAN.self, vgg: false), seed: 0) as any GANModel,
                      ESRGAN(config: try Self.config(ESRGAN.self, vgg: false), seed: 0)] {
            let name = type(of: model).info.name
            XCTAssertThrowsError(try model.prepareToTrain()) { error in
                XCTAssertEqual("\(error)", "\(name)'s perceptual loss needs ImageNet-trained VGG19 weights, which cannot be downloaded here: give --vgg19 FILE, torchvision's vgg19 state dict saved as safetensors (docs/MODELS.md shows the three lines that make one), or train with --content-loss pixel")
            }
        }
        // The trainer stops before touching the output folder.
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("swiftgan-srgan-\(UUID().uuidString)")
        let trainer = Trainer(model: SRGAN(config: try Self.config(SRGAN.self, vgg: false), seed: 0), options: RunOptions(out: out))
        XCTAssertThrowsError(try trainer.run())
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        // The pixel loss needs no weights.
        let pixel = SRGAN(config: try Self.config(SRGAN.self, ["pixel-content-loss": 1], vgg: false), seed: 0)
        XCTAssertNoThrow(try pixel.prepareToTrain())
    }

    func testSRGANTrainsAndRoundTrips() throws {
        let model = SRGAN(config: try Self.config(SRGAN.self, ["reference-vgg-layer": 1]), seed: 1)
        let losses = try trainThree(model)
        XCTAssertEqual(losses[0].map(\.name), ["d_loss", "g_loss", "content", "adv"])
        XCTAssertEqual(model.perceptual?.features.features.count, VGG19Features.relu3_4)
        let examples = try TrainingData(SRGAN.self, config: model.config).batches(batchSize: 2, seed: 3).examples(2)
        XCTAssertEqual(examples.lowResolution?.shape, [2, 3, 8, 8])
        let copy = try restoredCopy(of: model)
        // Any input size: 4x larger out.
        let odd = Tensor.uniform([1, 3, 5, 7], low: -1, high: 1, generator: RandomGenerator(seed: 2))
        XCTAssertEqual(try model.translateForOutput(odd).shape, [1, 3, 20, 28])
        XCTAssertEqual(try model.translateForOutput(odd).scalars, try copy.translateForOutput(odd).scalars)
        XCTAssertThrowsError(try model.translate(Tensor.zeros([1, 1, 5, 5])))
        XCTAssertEqual(model.progressGrid(examples: examples).images.shape, [2, 3, 32, 96])
    }

    func testESRGANTrainsAndRoundTrips() throws {
        let model = ESRGAN(config: try Self.esrganConfig(), seed: 1)
        // The relativistic average losses see D only through D(real) - mean D(fake): the bias
        // of D's last layer cancels, its gradient is zero up to rounding, and Adam moves it
        // only when rounding leaves a residue.
        let lastBias = model.netD.namedParameters().last!.name
        let losses = try trainThree(model, exempt: ["discriminator." + lastBias])
        XCTAssertEqual(losses.map { $0.map(\.name) }, [["pixel"], ["d_loss", "g_loss", "content", "adv", "pixel"], ["d_loss", "g_loss", "content", "adv", "pixel"]])
        let copy = try restoredCopy(of: model)
        let odd = Tensor.uniform([1, 3, 6, 5], low: -1, high: 1, generator: RandomGenerator(seed: 2))
        XCTAssertEqual(try model.translateForOutput(odd).scalars, try copy.translateForOutput(odd).scalars)
    }

    /// Both relativistic terms by default; the reference's single term behind its option.
    func testESRGANRelativisticTerms() throws {
        let batch = try TrainingData(ESRGAN.self, config: try Self.esrganConfig()).batches(batchSize: 2, seed: 3).batch(0, epoch: 0)
        func firstAdversarialLoss(_ extra: [String: Double]) throws -> Float {
            let model = ESRGAN(config: try Self.esrganConfig(["warmup-batches": 0, "pixel-content-loss": 1].merging(extra) { $1 }), seed: 1)
            let realScores = withoutGrad { model.netD(batch.images) }, fakeScores = withoutGrad { model.netD(model.netG(batch.lowResolution!)) }
            let losses = try model.trainStep(batch, batchesDone: 0)
            // Recomputed here from the scores before the step (D's batch norms count them too,
            // but the losses come from batch statistics, the same here).
            func bce(_ x: Tensor, _ t: Float) -> Float { binaryCrossEntropyWithLogits(x, Tensor.full(x.shape, t)).item() }
            let fakeVsReal = bce(fakeScores - realScores.mean(dim: 0, keepDim: true), 1)
            let realVsFake = bce(realScores - fakeScores.mean(dim: 0, keepDim: true), 0)
            let adv = losses.first { $0.name == "adv" }!.value
            XCTAssertEqual(adv, extra.isEmpty ? 0.5 * (fakeVsReal + realVsFake) : fakeVsReal, accuracy: 1e-5)
            return adv
        }
        XCTAssertNotEqual(try firstAdversarialLoss([:]), try firstAdversarialLoss(["reference-adversarial": 1]))
    }

    /// Tiles whose margin covers G's receptive field give the whole image's output; an image
    /// within one tile is one pass.
    func testTiledUpscalingMatchesOnePass() throws {
        // One residual block: about 10 input pixels of context on each side.
        let model = SRGAN(config: try Self.config(SRGAN.self, ["n-residual-blocks": 1]), seed: 4)
        let image = Tensor.uniform([1, 3, 21, 18], low: -1, high: 1, generator: RandomGenerator(seed: 5))
        let whole = try model.translateForOutput(image)
        XCTAssertEqual(try model.upscale(image, tile: 32).scalars, whole.scalars)
        let tiled = try model.upscale(image, tile: 8, margin: 12)
        XCTAssertEqual(tiled.shape, [1, 3, 84, 72])
        XCTAssertLessThan((tiled - whole).abs().max().item(), 1e-5)
        // Without margin the seams show.
        XCTAssertGreaterThan((try model.upscale(image, tile: 8, margin: 0) - whole).abs().max().item(), 1e-3)
    }
}
