import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// unit at 32 px (its smallest size), batch 1, --dim 16 where the test allows (a sixteenth of
/// the parameters), on the shared facades as two unpaired domains (A = photos, B = label maps).
final class UNITTests: XCTestCase {
    static func config(_ common: [String: Double] = ["img-size": 32], extra: [String: Double] = ["dim": 16],
                       directory: String? = nil) throws -> ModelConfig {
        try Zoo.config(for: UNIT.self, common: common, extra: extra, data: DataOptions(directory: directory))
    }

    /// Conv and transposed-conv biases right before an instance norm without affine
    /// parameters: the norm subtracts each channel's mean, so their gradient is zero.
    static func biasesBeforeInstanceNorm(_ model: any GANModel) -> Set<String> {
        var names = Set<String>()
        for (network, net) in model.networks {
            for (path, m) in net.namedModules() {
                guard let seq = m as? Sequential else { continue }
                for i in 0..<(seq.count - 1) where (seq[i] is Conv2d || seq[i] is ConvTranspose2d) && seq[i + 1] is InstanceNorm2d {
                    names.insert("\(network).\(path.isEmpty ? "" : path + ".")\(i).bias")
                }
            }
        }
        return names
    }

    func testDefaultsAndParameterCounts() throws {
        let config = try Self.config([:], extra: [:])
        XCTAssertEqual([config.common.batchSize, config.common.imgSize, config.common.channels, config.common.sampleInterval,
                        config.common.nEpochs], [1, 256, 3, 100, 200])
        XCTAssertEqual(config.common.lr, 0.0001)
        XCTAssertEqual([config.common.b1, config.common.b2], [0.5, 0.999])
        XCTAssertEqual(config.int("decay-epoch"), 100)
        XCTAssertEqual(config.int("dim"), 64)
        let data = UNIT.data(for: config)
        XCTAssertEqual(data.kind, .unpaired)
        XCTAssertEqual(data.defaultDataset, "apple2orange")
        XCTAssertEqual(data.fit, .randomCrop)
        XCTAssertEqual(TrainingData.transformSettings(data, config: config).loadSize, 286, "int(256 * 1.12)")
        XCTAssertTrue(data.flip)
        XCTAssertEqual(try Zoo.model(named: "unit").info.name, "unit")

        let model = UNIT(config: config, seed: 0)
        let counts = Dictionary(uniqueKeysWithValues: model.networks.map { ($0.name, $0.module.parameterCount) })
        XCTAssertEqual(counts, ["E1": 5_385_856, "E2": 5_385_856, "G1": 5_385_603, "G2": 5_385_603, "D1": 2_761_153, "D2": 2_761_153])
        XCTAssertEqual(model.networks.map(\.name), ["E1", "E2", "G1", "G2", "D1", "D2"])
        XCTAssertEqual(model.optimizers.map(\.name), ["optimizer_G", "optimizer_D1", "optimizer_D2"])
        XCTAssertEqual(model.randomStreams.map(\.name), ["noise"])
        // One shared block per side, each parameter once in G's Adam.
        XCTAssertTrue(model.E1.sharedBlock === model.E2.sharedBlock)
        XCTAssertTrue(model.G1.sharedBlock === model.G2.sharedBlock)
        XCTAssertFalse(model.E1.sharedBlock === model.G1.sharedBlock)
        XCTAssertEqual(model.E1.sharedBlock.parameterCount, 1_180_160)
        let adamG = model.optimizerG.parameters
        XCTAssertEqual(Set(adamG.map(ObjectIdentifier.init)).count, adamG.count, "no parameter twice")
        XCTAssertEqual(adamG.reduce(0) { $0 + $1.count }, 19_182_598, "the reference's unique generator-side parameters")
        // gan sample runs E2 then G1 (B -> A).
        let translator = try XCTUnwrap(model.generator as? UNITTranslator)
        XCTAssertTrue(translator.encoder === model.E2 && translator.generator === model.G1)
        // N(0, 0.02) conv weights.
        for (name, t) in model.E1.namedParameters() + model.D1.namedParameters() where t.count > 100_000 {
            let s = t.scalars, mean = s.reduce(0, +) / Float(s.count)
            let std = (s.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(s.count)).squareRoot()
            XCTAssertEqual(mean, 0, accuracy: 0.002, name)
            XCTAssertEqual(std, 0.02, accuracy: 0.002, name)
        }
    }

    func testConfigurationIsValidated() {
        for size in [16, 40, 56] {
            XCTAssertThrowsError(try Self.config(["img-size": Double(size)])) { XCTAssertTrue("\($0)".contains("multiple of 16 and at least 32"), "\($0)") }
        }
        XCTAssertNoThrow(try Self.config(["img-size": 64]))
        XCTAssertThrowsError(try Self.config(extra: ["decay-epoch": -1]))
        XCTAssertThrowsError(try Self.config(extra: ["dim": 0]))
        XCTAssertThrowsError(try Self.config(extra: ["lambda-cyc": 1]), "cyclegan's option is not unit's")
    }

    /// The reference's Encoder, Generator and Discriminator at the same weights
    /// (Scripts/make_unit_stargan_parity.py).
    func testNetworksMatchTheReferenceModels() throws {
        let f = try DomainTestData.fixture("unit")
        let size = try XCTUnwrap(f["size"] as? Int)
        let e = UNITEncoder(shared: .cyclegan(256, blockName: "conv_block"))
        let g = UNITGenerator(shared: .cyclegan(256, blockName: "conv_block"))
        let d = UNIT.discriminator(channels: 3, generator: RandomGenerator(seed: 0))
        for (net, key, count, phase) in [(e as Module, "encoder", 5_385_856, 0.0), (g, "generator", 5_385_603, 0), (d, "discriminator", 2_761_153, 0.7)] {
            XCTAssertEqual(DomainTestData.keys(net), try DomainTestData.keys(f, key), "\(key): state-dict keys and shapes in PyTorch's order")
            XCTAssertEqual(net.parameterCount, try XCTUnwrap(f["\(key)_parameters"] as? Int))
            XCTAssertEqual(net.parameterCount, count)
            StarGANTests.fill(net, phase: phase)
        }
        XCTAssertEqual(f["generator_side_parameters"] as? Int, 19_182_598)
        XCTAssertEqual(f["default_discriminator_parameters"] as? Int, 2_761_153)
        let x = DomainTestData.formula([2, 3, size, size], 0.9, 0.11, 0.5)
        let latent = DomainTestData.formula([2, 256, size / 4, size / 4], 0.9, 0.07, 0.3)
        try withoutGrad {
            try DomainTestData.compare(e(x), f["encoder_output"], "unit parity: encoder mu")
            try DomainTestData.compare(g(latent), f["generator_output"], "unit parity: generator")
            try DomainTestData.compare(d(x), f["discriminator_output"], "unit parity: discriminator")
        }
    }

    /// Three iterations on real facades: losses finite, every trainable parameter moved (but
    /// biases an instance norm cancels), the shared blocks too; a checkpoint round trip gives
    /// the same translations; `translate` is G1(E2(b)).
    func testTrainsOnFacadesAndRoundTripsACheckpoint() throws {
        let config = try Self.config(directory: try Pix2PixTests.facades())
        let source = try TrainingData(UNIT.self, config: config).batches(batchSize: 1, seed: 1)
        let model = UNIT(config: config, seed: 2)
        let before = parameterSnapshot(model)
        let sharedBefore = model.E1.sharedBlock.parameters().map(\.scalars)
        for i in 0..<3 {
            let losses = try model.trainStep(try source.batch(i, epoch: 0), batchesDone: i)
            XCTAssertEqual(losses.map(\.name), ["d_loss", "g_loss", "adv", "kl", "identity", "cycle"])
            XCTAssertTrue(losses.allSatisfy { $0.value.isFinite }, "\(losses)")
        }
        let exempt = Self.biasesBeforeInstanceNorm(model)
        XCTAssertEqual(model.E1.sharedBlock.block[1].parameters()[0].shape, [64, 64, 3, 3], "--dim 16: 64 shared channels")
        XCTAssertTrue(exempt.contains("E1.shared_block.conv_block.1.bias"))
        XCTAssertTrue(exempt.contains("G1.model_blocks.3.bias"), "the transposed convs too")
        assertTrainableParametersChanged(model, since: before, exempt: exempt)
        XCTAssertNotEqual(model.E1.sharedBlock.parameters().map(\.scalars), sharedBefore)

        let examples = try source.examples(2)
        let out = try checkedTranslations(model, examples.imagesB!, shape: [2, 3, 32, 32], network: model.G1, wrongShape: [1, 3, 64, 64])
        XCTAssertEqual(out.scalars, withoutGrad { model.G1(model.E2(examples.imagesB!)) }.scalars)
        XCTAssertEqual(model.inputAndTarget(examples).input.scalars, examples.imagesB!.scalars)
        let copy = try restoredCopy(of: model) { folder in
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("generator.safetensors").path))
        }
        XCTAssertEqual(try copy.translateForOutput(examples.imagesB!).scalars, out.scalars)
        XCTAssertTrue(copy.E1.sharedBlock === copy.E2.sharedBlock, "the restored encoders still share their block")
        // gan sample loads only generator.safetensors: E2 and G1 with the shared blocks.
        let fresh = UNIT(config: config, seed: 7)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("swiftgan-unit-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try model.generator.save(to: file.path)
        _ = try fresh.generator.load(from: file.path)
        XCTAssertEqual(try fresh.translateForOutput(examples.imagesB!).scalars, out.scalars)
    }

    /// Two iterations straight equal one, a checkpoint, and one more (the noise stream and
    /// Adam's state come back).
    func testResumeIsIdentical() throws {
        try assertResumeIsIdentical(UNIT.self, config: try Self.config(directory: try Pix2PixTests.facades()), iterations: 2)
    }

    func testProgressGridHasTheReferenceLayout() throws {
        let model = UNIT(config: try Self.config(), seed: 0)
        XCTAssertEqual(model.progressExamples, 5)
        let a = DomainTestData.formula([2, 3, 32, 32], 0.9, 0.11, 0.5), b = DomainTestData.formula([2, 3, 32, 32], 0.9, 0.13, 1.1)
        let grid = model.progressGrid(examples: TrainingBatch(images: a, imagesB: b))
        XCTAssertEqual(grid.rows, 5)
        XCTAssertEqual(grid.images.shape, [2, 3, 4 * 32, 32], "X1 / X1 -> 2 / X2 / X2 -> 1 stacked vertically")
        let first = { (t: Tensor) in t.slice(dim: 0, start: 0, end: 1) }
        let tile = first(grid.images)
        func part(_ k: Int) -> [Float] { tile.slice(dim: 2, start: 32 * k, end: 32 * (k + 1)).scalars }
        XCTAssertEqual(part(0), first(a).scalars)
        XCTAssertEqual(part(1), withoutGrad { model.G2(model.E1(first(a))) }.scalars)
        XCTAssertEqual(part(2), first(b).scalars)
        XCTAssertEqual(part(3), try model.translateForOutput(first(b)).scalars)
    }
}
