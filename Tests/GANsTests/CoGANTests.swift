import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// cogan on the small MNIST-M of DomainTestData (domain 1: the built-in MNIST).
final class CoGANTests: XCTestCase {
    static func config(_ common: [String: Double] = [:], extra: [String: Double] = [:], directory: String? = nil) throws -> ModelConfig {
        try Zoo.config(for: CoGAN.self, common: common, extra: extra, data: DataOptions(directory: directory))
    }

    static func smallConfig(extra: [String: Double] = [:]) throws -> ModelConfig {
        try config(["batch-size": 4], extra: extra, directory: try DomainTestData.mnistm())
    }

    func testDefaultsAndParameterCounts() throws {
        let config = try Self.config()
        XCTAssertEqual([config.common.batchSize, config.common.latentDim, config.common.imgSize, config.common.channels,
                        config.common.sampleInterval, config.common.nEpochs], [32, 100, 32, 3, 400, 200])
        XCTAssertEqual(config.common.lr, 0.0002)
        XCTAssertFalse(config.flag("paper-sharing"))
        let data = CoGAN.data(for: config)
        XCTAssertEqual(data.kind, .domains)
        XCTAssertEqual(data.defaultDataset, "mnistm")
        XCTAssertEqual(data.resizeFilter, .bilinear)
        XCTAssertEqual(try Zoo.model(named: "cogan").info.name, "cogan")
        XCTAssertEqual(CoGAN.info.output, .samples)

        let model = CoGAN(config: config, seed: 0)
        let counts = Dictionary(uniqueKeysWithValues: model.networks.map { ($0.name, $0.module.parameterCount) })
        XCTAssertEqual(counts, ["generator": 1_126_790, "discriminator": 98_914])
        XCTAssertEqual(model.optimizers.map(\.name), ["optimizer_G", "optimizer_D"])
        XCTAssertEqual(model.randomStreams.map(\.name), ["noise", "dropout"])
        // The shared layers are one module, used by both domains.
        XCTAssertEqual(model.coupledGenerators.sharedConv.parameterCount, 148_096)
        XCTAssertEqual(model.coupledGenerators.G1.parameterCount, 75_651)
        XCTAssertEqual(model.coupledDiscriminators.sharedConv.parameterCount, 97_888)
        // Linear weights N(0, 0.02), batch norms N(1, 0.02) and 0; convs keep PyTorch's default U(-1/sqrt(fan_in), ...).
        let fc = model.coupledGenerators.fc[0] as! Linear
        let w = fc.weight.scalars, mean = w.reduce(0, +) / Float(w.count)
        XCTAssertEqual(mean, 0, accuracy: 0.001)
        XCTAssertEqual((w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(w.count)).squareRoot(), 0.02, accuracy: 0.001)
        let conv = model.coupledGenerators.sharedConv[2] as! Conv2d
        XCTAssertLessThanOrEqual(conv.weight.abs().max().item(), 1 / Float(128 * 9).squareRoot())
        XCTAssertGreaterThan(conv.weight.abs().max().item(), 0.025, "not N(0, 0.02)")

        // The paper's sharing: each domain's own first block, the later ones shared.
        let paper = CoGAN(config: try Self.config(extra: ["paper-sharing": 1]), seed: 0)
        XCTAssertEqual(paper.coupledDiscriminators.parameterCount, 98_914 + 448)
        XCTAssertEqual(paper.coupledDiscriminators.stateDict().names.prefix(4), ["first_conv1.0.weight", "first_conv1.0.bias", "first_conv2.0.weight", "first_conv2.0.bias"])
        XCTAssertEqual(paper.coupledGenerators.parameterCount, 1_126_790)
    }

    func testConfigurationIsValidated() {
        XCTAssertThrowsError(try Self.config(["img-size": 28])) { XCTAssertTrue("\($0)".contains("multiple of 16"), "\($0)") }
        XCTAssertNoThrow(try Self.config(["img-size": 64]))
        XCTAssertThrowsError(try Self.config(extra: ["lambda-task": 1]), "pixelda's option is not cogan's")
    }

    func testTrainsThreeIterations() throws {
        for paperSharing in [0.0, 1.0] {
            let config = try Self.smallConfig(extra: ["paper-sharing": paperSharing])
            let source = try TrainingData(CoGAN.self, config: config).batches(batchSize: 4, seed: 0)
            let model = CoGAN(config: config, seed: 1)
            let before = parameterSnapshot(model)
            for i in 0..<3 {
                let losses = try model.trainStep(try source.batch(i, epoch: 0), batchesDone: i)
                XCTAssertEqual(losses.map(\.name), ["d_loss", "g_loss"])
                for (name, value) in losses { XCTAssertTrue(value.isFinite, "\(name) = \(value) at iteration \(i)") }
            }
            // Conv biases right before a training-mode batch norm cancel: their gradient is zero.
            let shared = paperSharing == 1 ? [0, 4, 8] : [3, 7, 11]
            let exempt = Set(["generator.shared_conv.2.bias", "generator.G1.0.bias", "generator.G2.0.bias"] + shared.map { "discriminator.shared_conv.\($0).bias" })
            assertTrainableParametersChanged(model, since: before, exempt: exempt)
        }
    }

    func testResumeIsIdentical() throws {
        // Dropout masks and the noise come back with their streams.
        try assertResumeIsIdentical(CoGAN.self, config: try Self.smallConfig(), iterations: 4)
    }

    /// A sample is a pair of the same noise: domain 1 left, domain 2 right; the progress grid
    /// shows 25 pairs in 5 rows.
    func testSamplesArePairsOfTheSameNoise() throws {
        let model = CoGAN(config: try Self.config(), seed: 0)
        let z = Tensor.normal([3, 100], generator: RandomGenerator(seed: 4))
        let pairs = try model.sampleForOutput(count: 3, latent: z, generator: RandomGenerator(seed: 0))
        XCTAssertEqual(pairs.shape, [3, 3, 32, 64])
        let (a, b) = try model.samplePairsForOutput(count: 3, latent: z, generator: RandomGenerator(seed: 0))
        let direct: (Tensor, Tensor) = inEvaluationMode([model.coupledGenerators]) { model.coupledGenerators(z) }
        XCTAssertEqual(a.scalars, direct.0.scalars)
        XCTAssertEqual(b.scalars, direct.1.scalars)
        XCTAssertEqual(pairs.slice(dim: 3, start: 32, end: 64).scalars, b.scalars)
        XCTAssertNotEqual(a.scalars, b.scalars, "two heads")
        let grid = withoutGrad { model.progressGrid(examples: nil) }
        XCTAssertEqual(grid.images.shape, [25, 3, 32, 64])
        XCTAssertEqual(grid.rows, 5)
        XCTAssertTrue(model.coupledGenerators.isTraining)
    }

    // MARK: - Parity with the networks of PyTorch-GAN's cogan.py

    func testNetworksMatchTheReference() throws {
        let f = try DomainTestData.fixture("cogan")
        let model = CoGAN(config: try Self.config(), seed: 0)
        let g = model.coupledGenerators, d = model.coupledDiscriminators
        for (net, key) in [(g as Module, "generator"), (d, "discriminator")] {
            XCTAssertEqual(DomainTestData.keys(net), try DomainTestData.keys(f, key), "\(key): state-dict keys and shapes in PyTorch's order")
            XCTAssertEqual(net.parameterCount, try XCTUnwrap(f["\(key)_parameters"] as? Int))
        }
        let z = DomainTestData.formula([2, 100], 1.5, 0.3, 0.2)
        let x1 = DomainTestData.formula([2, 3, 32, 32], 0.9, 0.11, 0.5), x2 = DomainTestData.formula([2, 3, 32, 32], 0.9, 0.13, 1.1)
        let gWant = try XCTUnwrap(f["generator_output"] as? [String: [Any]])
        for mode in ["train", "eval"] {
            DomainTestData.fill(g, phase: 0)
            g.train(mode == "train")
            let (a, b) = withoutGrad { g(z) }
            try DomainTestData.compare(a, gWant[mode]?[0], "cogan G1 (\(mode) mode)")
            try DomainTestData.compare(b, gWant[mode]?[1], "cogan G2 (\(mode) mode)")
        }
        DomainTestData.fill(d, phase: 0.7)
        d.eval()
        let (v1, v2) = withoutGrad { d(x1, x2) }
        let dWant = try XCTUnwrap(f["discriminator_output"] as? [String: [Any]])
        try DomainTestData.compare(v1, dWant["eval"]?[0], "cogan D1 (eval mode)")
        try DomainTestData.compare(v2, dWant["eval"]?[1], "cogan D2 (eval mode)")
    }
}
