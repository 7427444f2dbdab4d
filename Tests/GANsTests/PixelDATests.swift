import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// pixelda on the small MNIST-M of DomainTestData (source: the built-in MNIST).
final class PixelDATests: XCTestCase {
    static func config(_ common: [String: Double] = [:], extra: [String: Double] = [:], directory: String? = nil) throws -> ModelConfig {
        try Zoo.config(for: PixelDA.self, common: common, extra: extra, data: DataOptions(directory: directory))
    }

    /// A quick configuration on the small MNIST-M: batch 4, 2 residual blocks.
    static func smallConfig() throws -> ModelConfig {
        try config(["batch-size": 4], extra: ["n-residual-blocks": 2], directory: try DomainTestData.mnistm())
    }

    func testDefaultsAndParameterCounts() throws {
        let config = try Self.config()
        XCTAssertEqual([config.common.batchSize, config.common.latentDim, config.common.imgSize, config.common.channels,
                        config.common.sampleInterval, config.common.nEpochs], [64, 10, 32, 3, 300, 200])
        XCTAssertEqual(config.common.lr, 0.0002)
        XCTAssertEqual([config.common.b1, config.common.b2], [0.5, 0.999])
        XCTAssertEqual(config.int("n-residual-blocks"), 6)
        XCTAssertEqual(config.int("n-classes"), 10)
        XCTAssertEqual(config.float("lambda-adv"), 1)
        XCTAssertEqual(config.float("lambda-task"), 0.1)
        let data = PixelDA.data(for: config)
        XCTAssertEqual(data.kind, .domains)
        XCTAssertEqual(data.defaultDataset, "mnistm")
        XCTAssertEqual(data.fit, .stretch)
        XCTAssertEqual(data.resizeFilter, .bilinear, "torchvision's Resize")
        XCTAssertEqual(try Zoo.model(named: "pixelda").info.name, "pixelda")
        XCTAssertEqual(PixelDA.info.output, .translation)

        let model = PixelDA(config: config, seed: 0)
        let counts = Dictionary(uniqueKeysWithValues: model.networks.map { ($0.name, $0.module.parameterCount) })
        XCTAssertEqual(counts, ["generator": 483_715, "discriminator": 1_555_585, "classifier": 1_571_466])
        XCTAssertEqual(model.networks.map(\.name), ["generator", "discriminator", "classifier"])
        XCTAssertEqual(model.optimizers.map(\.name), ["optimizer_G", "optimizer_D"])
        XCTAssertEqual(model.optimizers[0].optimizer.parameters.count, model.netG.parameters().count + model.classifier.parameters().count,
                       "one Adam over G and the classifier")
        XCTAssertEqual(model.randomStreams.map(\.name), ["noise"])
        XCTAssertTrue(model.generator === model.netG)
        // Conv weights N(0, 0.02), batch-norm weights N(1, 0.02) and biases 0.
        for (name, t) in model.netG.namedParameters() + model.classifier.namedParameters() where t.count > 30_000 && name.contains("block") {
            let s = t.scalars, mean = s.reduce(0, +) / Float(s.count)
            let std = (s.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(s.count)).squareRoot()
            XCTAssertEqual(mean, 0, accuracy: 0.002, name)
            XCTAssertEqual(std, 0.02, accuracy: 0.002, name)
        }
        XCTAssertTrue(model.netG.namedParameters().filter { $0.name.hasSuffix("block.1.bias") }.allSatisfy { $0.tensor.scalars.allSatisfy { $0 == 0 } })
    }

    func testConfigurationIsValidated() {
        for size in [16, 28, 40] {
            XCTAssertThrowsError(try Self.config(["img-size": Double(size)])) { XCTAssertTrue("\($0)".contains("multiple of 16 and at least 32"), "\($0)") }
        }
        XCTAssertNoThrow(try Self.config(["img-size": 64]))
        XCTAssertThrowsError(try Self.config(extra: ["lambda-task": -1]))
        XCTAssertThrowsError(try Self.config(extra: ["n-classes": 1]))
        XCTAssertThrowsError(try Self.config(extra: ["paper-sharing": 1]), "cogan's option is not pixelda's")
    }

    /// The two domains: labelled MNIST digits as three-channel images, MNIST-M images drawn
    /// independently, both 32 px in [-1, 1].
    func testDomainsBatchesHoldLabelledSourceAndTargetImages() throws {
        let config = try Self.smallConfig()
        let data = try TrainingData(PixelDA.self, config: config)
        XCTAssertEqual(data.format, .mnistm)
        let source = try data.batches(batchSize: 4, seed: 0)
        XCTAssertEqual(source.count, 60_000, "an epoch is MNIST's training split")
        let batch = try source.batch(0, epoch: 0)
        XCTAssertEqual(batch.images.shape, [4, 3, 32, 32])
        XCTAssertEqual(batch.imagesB?.shape, [4, 3, 32, 32])
        XCTAssertEqual(batch.labels.count, 4)
        XCTAssertTrue(batch.labels.allSatisfy { (0...9).contains($0) })
        for t in [batch.images, batch.imagesB!] {
            XCTAssertGreaterThanOrEqual(t.min().item(), -1)
            XCTAssertLessThanOrEqual(t.max().item(), 1)
        }
        let gray = batch.images.slice(dim: 1, start: 0, end: 1).scalars
        XCTAssertEqual(batch.images.slice(dim: 1, start: 2, end: 3).scalars, gray, "digits repeated on the three channels")
        XCTAssertEqual(batch.images.min().item(), -1, "MNIST's background")
        XCTAssertNotEqual(batch.imagesB!.slice(dim: 1, start: 0, end: 1).scalars, batch.imagesB!.slice(dim: 1, start: 1, end: 2).scalars,
                          "MNIST-M is in colour")
        XCTAssertEqual(try source.batch(0, epoch: 0).imagesB!.scalars, batch.imagesB!.scalars, "the same seed draws the same batch")
        let examples = try source.examples(5)
        XCTAssertEqual(examples.images.shape, [5, 3, 32, 32])
        XCTAssertEqual(examples.imagesB?.shape, [5, 3, 32, 32])
        // MNIST digits are not two domains.
        let mnist = try Zoo.config(for: PixelDA.self, common: [:], extra: [:], data: DataOptions(dataset: "mnist"))
        XCTAssertThrowsError(try TrainingData(PixelDA.self, config: mnist).batches(batchSize: 4, seed: 0)) { error in
            XCTAssertTrue("\(error)".contains("domains"), "\(error)")
        }
    }

    func testTrainsThreeIterations() throws {
        let config = try Self.smallConfig()
        let source = try TrainingData(PixelDA.self, config: config).batches(batchSize: 4, seed: 0)
        let model = PixelDA(config: config, seed: 1)
        let before = parameterSnapshot(model)
        for i in 0..<3 {
            let losses = try model.trainStep(try source.batch(i, epoch: 0), batchesDone: i)
            XCTAssertEqual(losses.map(\.name), ["d_loss", "g_loss", "adv", "task", "clf_acc"])
            for (name, value) in losses { XCTAssertTrue(value.isFinite, "\(name) = \(value) at iteration \(i)") }
        }
        // A conv bias right before a training-mode batch norm cancels: its gradient is zero.
        let exempt = Set((0..<2).flatMap { k in [0, 3].map { "generator.resblocks.\(k).block.\($0).bias" } })
        assertTrainableParametersChanged(model, since: before, exempt: exempt)

        // Translations: fixed noise, so the same inputs give the same outputs; shape and range checked.
        let examples = try source.examples(3)
        let out = try checkedTranslations(model, examples.images, shape: [3, 3, 32, 32], network: model.netG, wrongShape: [1, 3, 28, 28])
        XCTAssertEqual(try model.translateForOutput(examples.images).scalars, out.scalars)
        XCTAssertEqual(model.inputAndTarget(examples).input.scalars, examples.images.scalars, "MNIST is the input")
        XCTAssertEqual(model.classify(examples.imagesB!).count, 3)
    }

    /// The source-only baseline: the classifier learns the source labels, G and D stay as built.
    func testSourceOnlyTrainsTheClassifierAlone() throws {
        let config = try Self.config(["batch-size": 4], extra: ["n-residual-blocks": 1, "source-only": 1], directory: try DomainTestData.mnistm())
        let source = try TrainingData(PixelDA.self, config: config).batches(batchSize: 4, seed: 0)
        let model = PixelDA(config: config, seed: 1)
        let before = Dictionary(uniqueKeysWithValues: parameterSnapshot(model).map { ($0.name, $0.values) })
        for i in 0..<2 {
            let losses = try model.trainStep(try source.batch(i, epoch: 0), batchesDone: i)
            XCTAssertEqual(losses.map(\.name), ["task", "clf_acc"])
            XCTAssertTrue(losses[0].value.isFinite)
        }
        for (name, values) in parameterSnapshot(model) {
            if name.hasPrefix("classifier.") {
                XCTAssertNotEqual(values, before[name], "\(name) trained")
            } else {
                XCTAssertEqual(values, before[name], "\(name) untouched")
            }
        }
        XCTAssertEqual(model.noise.offset, PixelDA(config: config, seed: 1).noise.offset, "no noise drawn")
    }

    func testResumeIsIdentical() throws {
        try assertResumeIsIdentical(PixelDA.self, config: try Self.smallConfig(), iterations: 4)
    }

    func testProgressGridHasTheReferenceLayout() throws {
        let model = PixelDA(config: try Self.config(extra: ["n-residual-blocks": 1]), seed: 0)
        XCTAssertEqual(model.progressExamples, 5)
        let a = Tensor.full([2, 3, 32, 32], 0.5), b = Tensor.full([2, 3, 32, 32], -0.5)
        let grid = withoutGrad { model.progressGrid(examples: TrainingBatch(images: a, labels: [1, 2], imagesB: b)) }
        XCTAssertEqual(grid.rows, 5)
        XCTAssertEqual(grid.images.shape, [2, 3, 3 * 32, 32], "source / translated / target stacked vertically")
        let tile = grid.images.slice(dim: 0, start: 0, end: 1)
        func part(_ k: Int) -> [Float] { tile.slice(dim: 2, start: 32 * k, end: 32 * (k + 1)).scalars }
        XCTAssertEqual(part(0), a.slice(dim: 0, start: 0, end: 1).scalars)
        XCTAssertEqual(part(1), try model.translateForOutput(a).slice(dim: 0, start: 0, end: 1).scalars)
        XCTAssertEqual(part(2), b.slice(dim: 0, start: 0, end: 1).scalars)
        XCTAssertTrue(model.netG.isTraining)
    }

    // MARK: - Parity with the networks of PyTorch-GAN's pixelda.py

    func testNetworksMatchTheReference() throws {
        let f = try DomainTestData.fixture("pixelda")
        let model = PixelDA(config: try Self.config(), seed: 0)
        for (net, key, phase) in [(model.netG as Module, "generator", 0.0), (model.netD, "discriminator", 0.7), (model.classifier, "classifier", 1.4)] {
            XCTAssertEqual(DomainTestData.keys(net), try DomainTestData.keys(f, key), "\(key): state-dict keys and shapes in PyTorch's order")
            XCTAssertEqual(net.parameterCount, try XCTUnwrap(f["\(key)_parameters"] as? Int))
            DomainTestData.fill(net, phase: phase)
        }
        let x = DomainTestData.formula([2, 3, 32, 32], 0.9, 0.11, 0.5), z = DomainTestData.formula([2, 10], 1, 0.7, 0.1)
        for mode in ["train", "eval"] {
            DomainTestData.fill(model.netG, phase: 0)
            for net in [model.netG as Module, model.netD, model.classifier] { net.train(mode == "train") }
            let outputs = withoutGrad { (model.netG(x, z), model.netD(x), model.classifier(x)) }
            let g = try XCTUnwrap(f["generator_output"] as? [String: Any]), d = try XCTUnwrap(f["discriminator_output"] as? [String: Any])
            let p = try XCTUnwrap(f["classifier_probabilities"] as? [String: Any])
            try DomainTestData.compare(outputs.0, g[mode], "pixelda generator (\(mode) mode)")
            try DomainTestData.compare(outputs.1, d[mode], "pixelda discriminator (\(mode) mode)")
            try DomainTestData.compare(outputs.2.softmax(dim: 1), p[mode], "pixelda classifier's softmax (\(mode) mode)")
            let logits = try XCTUnwrap(f["classifier_logits"] as? [Double])
            XCTAssertLessThanOrEqual(zip(outputs.2.scalars, logits).map { abs(Double($0) - $1) }.max()!, 1e-4, "classifier logits")
        }
    }

    /// One iteration's losses against pixelda.py's formulas (with the task loss on the logits).
    func testLossesMatchTheReferenceScript() throws {
        let f = try DomainTestData.fixture("pixelda")
        let want = try XCTUnwrap(f["losses"] as? [String: Double])
        let model = PixelDA(config: try Self.config(), seed: 0)
        for (net, phase) in [(model.netG as Module, 0.0), (model.netD, 0.7), (model.classifier, 1.4)] { DomainTestData.fill(net, phase: phase) }
        let x = DomainTestData.formula([2, 3, 32, 32], 0.9, 0.11, 0.5), z = DomainTestData.formula([2, 10], 1, 0.7, 0.1)
        let reversed = Tensor.concat([x.slice(dim: 0, start: 1, end: 2), x.slice(dim: 0, start: 0, end: 1)], dim: 0)
        let labels = try XCTUnwrap(f["labels"] as? [Int])
        let losses = try model.trainStep(TrainingBatch(images: x, labels: labels, imagesB: reversed), noise: z)
        print("pixelda parity: losses \(losses.map { "\($0.name) \($0.value) (reference \(want[$0.name] ?? .nan))" }.joined(separator: ", "))")
        for (name, value) in losses where name != "clf_acc" {
            let expected = try XCTUnwrap(want[name], name)
            XCTAssertEqual(Double(value), expected, accuracy: 1e-4 * max(1, abs(expected)), name)
        }
        let reference = try XCTUnwrap(f["reference_losses"] as? [String: Double])
        XCTAssertGreaterThan(abs(reference["task"]! - want["task"]!), 0.1, "the double softmax is a different loss")
    }
}
