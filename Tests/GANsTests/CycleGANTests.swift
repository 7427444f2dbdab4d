import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// CycleGAN at 32 px (its smallest size) where the test allows, batch 1, on the shared facades
/// as two unpaired domains (A = photos, B = label maps).
final class CycleGANTests: XCTestCase {
    static func config(_ common: [String: Double] = ["img-size": 32], extra: [String: Double] = [:],
                       directory: String? = nil) throws -> ModelConfig {
        try Zoo.config(for: CycleGAN.self, common: common, extra: extra, data: DataOptions(directory: directory))
    }

    /// One 32 px model for the tests that do not depend on its weights.
    nonisolated(unsafe) static var shared: CycleGAN?
    static func model() throws -> CycleGAN {
        if let shared { return shared }
        let m = CycleGAN(config: try config(), seed: 0)
        shared = m
        return m
    }

    /// Every parameter and buffer of every network, by "network.name".
    static func state(_ model: CycleGAN) -> [(String, [Float])] {
        model.networks.flatMap { n in
            let dict = n.module.stateDict()
            return dict.names.map { ("\(n.name).\($0)", dict[$0]!.scalars) }
        }
    }

    /// Conv biases right before an instance norm: the norm subtracts each channel's mean, so
    /// a per-channel constant cancels and their gradient is zero by construction.
    static func biasesBeforeInstanceNorm(_ net: Module, prefix: String) -> Set<String> {
        var names = Set<String>()
        for (path, m) in net.namedModules() {
            guard let seq = m as? Sequential else { continue }
            for i in 0..<(seq.count - 1) where seq[i] is Conv2d && seq[i + 1] is InstanceNorm2d {
                names.insert("\(prefix).\(path.isEmpty ? "" : path + ".")\(i).bias")
            }
        }
        return names
    }

    func testDefaultsAndParameterCounts() throws {
        let config = try Self.config([:])
        XCTAssertEqual(config.common.batchSize, 1)
        XCTAssertEqual(config.common.imgSize, 256)
        XCTAssertEqual(config.common.channels, 3)
        XCTAssertEqual(config.common.nEpochs, 200)
        XCTAssertEqual(config.common.lr, 0.0002)
        XCTAssertEqual(config.common.b1, 0.5)
        XCTAssertEqual(config.common.b2, 0.999)
        XCTAssertEqual(config.common.sampleInterval, 100)
        XCTAssertEqual(config.int("n-residual-blocks"), 9)
        XCTAssertEqual(config.float("lambda-cyc"), 10)
        XCTAssertEqual(config.float("lambda-id"), 5)
        XCTAssertEqual(config.int("decay-epoch"), 100)
        let data = CycleGAN.data(for: config)
        XCTAssertEqual(data.kind, .unpaired)
        XCTAssertEqual(data.defaultDataset, "monet2photo")
        XCTAssertEqual(data.fit, .randomCrop)
        XCTAssertEqual(TrainingData.transformSettings(data, config: config).loadSize, 286, "int(256 * 1.12)")
        XCTAssertTrue(data.flip)
        let small = try Self.config(["img-size": 64])
        XCTAssertEqual(TrainingData.transformSettings(CycleGAN.data(for: small), config: small).loadSize, 71, "int(64 * 1.12)")
        XCTAssertTrue(Zoo.models.contains { $0 == CycleGAN.self })
        XCTAssertEqual(try Zoo.model(named: "cyclegan").info.name, "cyclegan")

        let model = CycleGAN(config: config, seed: 0)
        let counts = Dictionary(uniqueKeysWithValues: model.networks.map { ($0.name, $0.module.parameterCount) })
        XCTAssertEqual(counts, ["G_AB": 11_378_179, "G_BA": 11_378_179, "D_A": 2_764_737, "D_B": 2_764_737,
                                "fake_A_buffer": 0, "fake_B_buffer": 0])
        XCTAssertEqual(model.networks.map(\.name), ["G_AB", "G_BA", "D_A", "D_B", "fake_A_buffer", "fake_B_buffer"])
        XCTAssertEqual(model.optimizers.map(\.name), ["optimizer_G", "optimizer_D_A", "optimizer_D_B"])
        XCTAssertEqual(model.optimizers[0].optimizer.parameters.count, 2 * model.G_AB.parameters().count, "one Adam over both generators")
        XCTAssertEqual(model.randomStreams.map(\.name), ["replay_buffer"])
        XCTAssertTrue(model.generator === model.G_BA, "gan sample runs G_BA (B -> A)")
        XCTAssertEqual(model.fakeABuffer.images!.shape, [50, 3, 256, 256])
        // N(0, 0.02) conv weights, zero conv biases.
        for (name, t) in model.G_AB.namedParameters() + model.D_A.namedParameters() {
            let s = t.scalars
            if name.hasSuffix("bias") {
                XCTAssertTrue(s.allSatisfy { $0 == 0 }, "\(name) starts at 0")
            } else if s.count > 10_000 {
                let mean = s.reduce(0, +) / Float(s.count)
                let std = (s.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(s.count)).squareRoot()
                XCTAssertEqual(mean, 0, accuracy: 0.002, name)
                XCTAssertEqual(std, 0.02, accuracy: 0.002, name)
            }
        }
    }

    func testConfigurationIsValidated() {
        for size in [16, 28, 30, 66] {
            XCTAssertThrowsError(try Self.config(["img-size": Double(size)])) { error in
                XCTAssertTrue("\(error)".contains("multiple of 4 and at least 32"), "\(error)")
            }
        }
        for size in [32, 36, 64, 100] { XCTAssertNoThrow(try Self.config(["img-size": Double(size)])) }
        XCTAssertThrowsError(try Self.config(["img-size": 32, "channels": 1]))
        XCTAssertThrowsError(try Self.config(extra: ["lambda-cyc": -1]))
        XCTAssertThrowsError(try Self.config(extra: ["decay-epoch": -1]))
        XCTAssertThrowsError(try Self.config(extra: ["lambda-pixel": 1]), "pix2pix's option is not cyclegan's")
    }

    /// The reference's LambdaLR: 1 - max(0, epoch + offset - decay_epoch) / (n_epochs - decay_epoch),
    /// with offset 0 (our epochs are absolute, also on resume).
    func testLearningRateFollowsTheReferenceSchedule() throws {
        let model = try Self.model()
        func reference(_ epoch: Int) -> Float { 1 - Float(max(0, epoch + 0 - 100)) / Float(200 - 100) }
        for epoch in [0, 100, 150, 199] {
            model.epochStarted(epoch)
            for (name, o) in model.optimizers {
                XCTAssertEqual(o.learningRate, 0.0002 * reference(epoch), accuracy: 1e-10, "\(name) at epoch \(epoch)")
            }
        }
        XCTAssertEqual(model.optimizerG.learningRate, 0.000002, accuracy: 1e-10)
        model.epochStarted(0)
        // A decay that would start at or after the end keeps the rate constant.
        let short = try Self.config(["img-size": 32, "n-epochs": 5])
        XCTAssertEqual((0..<5).map(CycleGAN.rateFactor(short)), [1, 1, 1, 1, 1])
        let decaying = try Self.config(["img-size": 32, "n-epochs": 4], extra: ["decay-epoch": 2])
        XCTAssertEqual((0..<4).map(CycleGAN.rateFactor(decaying)), [1, 1, 1, 0.5])
    }

    /// The pool returns the new images while it fills, then per image either the new one or,
    /// with probability 1/2, a stored one that the new one replaces; a pool restored from its
    /// saved state and stream position continues identically.
    func testReplayBufferFillsSwapsAndResumes() throws {
        func image(_ v: Float) -> Tensor { Tensor.full([1, 1, 2, 2], v) }
        let pool = ReplayBuffer(capacity: 3, imageShape: [1, 2, 2], generator: RandomGenerator(seed: 7))
        for v in 1...3 { XCTAssertEqual(pool.pushAndPop(image(Float(v))).scalars, image(Float(v)).scalars) }
        XCTAssertEqual(pool.count, 3)
        XCTAssertEqual(pool.images!.scalars, [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
        var swapped = 0
        for v in 4...23 {
            let before = Set(pool.images!.scalars)
            let out = pool.pushAndPop(image(Float(v))).scalars
            if out[0] != Float(v) {
                swapped += 1
                XCTAssertTrue(before.contains(out[0]), "a stored image comes back")
                XCTAssertTrue(pool.images!.scalars.contains(Float(v)), "the new image takes its slot")
            } else {
                XCTAssertEqual(Set(pool.images!.scalars), before, "the pool is unchanged when the new image passes")
            }
        }
        XCTAssertTrue((3...17).contains(swapped), "about half of 20 images are swapped, got \(swapped)")
        // A batch of several images is pooled one image at a time.
        XCTAssertEqual(pool.pushAndPop(Tensor.concat([image(30), image(31)], dim: 0)).shape, [2, 1, 2, 2])

        // A resumed run rebuilds its streams from the run's seed, then restores their positions.
        let copy = ReplayBuffer(capacity: 3, imageShape: [1, 2, 2], generator: RandomGenerator(seed: 7))
        try copy.loadStateDict(pool.stateDict())
        copy.random.restore(offset: pool.random.offset)
        XCTAssertEqual(copy.count, 3)
        for v in 40...60 {
            XCTAssertEqual(copy.pushAndPop(image(Float(v))).scalars, pool.pushAndPop(image(Float(v))).scalars)
        }
        XCTAssertEqual(copy.images!.scalars, pool.images!.scalars)
    }

    func testTrainsOnFacadesAsUnpairedDomains() throws {
        let config = try Self.config(directory: try Pix2PixTests.facades())
        let data = try TrainingData(CycleGAN.self, config: config)
        let source = try data.batches(batchSize: 1, seed: 0)
        let model = CycleGAN(config: config, seed: 1)
        model.epochStarted(0)
        let before = Self.state(model)
        for i in 0..<3 {
            let batch = try source.batch(i, epoch: 0)
            XCTAssertEqual(batch.images.shape, [1, 3, 32, 32])
            XCTAssertEqual(batch.imagesB?.shape, [1, 3, 32, 32])
            let losses = try model.trainStep(batch, batchesDone: i)
            XCTAssertEqual(losses.map(\.name), ["d_loss", "g_loss", "adv", "cycle", "identity"])
            for (name, value) in losses { XCTAssertTrue(value.isFinite, "\(name) = \(value) at iteration \(i)") }
        }
        XCTAssertEqual(model.fakeABuffer.count, 3)
        XCTAssertEqual(model.fakeBBuffer.count, 3)
        let invariant = model.networks.reduce(into: Set<String>()) { $0.formUnion(Self.biasesBeforeInstanceNorm($1.module, prefix: $1.name)) }
        // G: every conv but the last feeds an instance norm (2 + 2 + 2 x 9 + 1 ... per G); D: 3.
        XCTAssertEqual(invariant.filter { $0.hasPrefix("G_AB.") }.count, 1 + 2 + 2 * 9 + 2)
        XCTAssertEqual(invariant.filter { $0.hasPrefix("D_A.") }, Set(["D_A.model.2.bias", "D_A.model.5.bias", "D_A.model.8.bias"]))
        let trainable = Set(model.networks.flatMap { n in n.module.namedParameters().filter { $0.tensor.requiresGrad }.map { "\(n.name).\($0.name)" } })
        let after = Self.state(model)
        XCTAssertEqual(before.map(\.0), after.map(\.0))
        var checked = 0
        for ((name, old), (_, new)) in zip(before, after) where trainable.contains(name) && !invariant.contains(name) {
            XCTAssertNotEqual(old, new, "trainable parameter \(name) did not change")
            checked += 1
        }
        XCTAssertEqual(checked, trainable.count - invariant.count)
        for net in ["G_AB", "G_BA", "D_A", "D_B"] { XCTAssertTrue(after.contains { $0.0.hasPrefix(net + ".") }) }

        // translate: G_BA, label maps (B) to photos (A), in [-1, 1].
        let examples = try source.examples(2)
        let out = try model.translateForOutput(examples.imagesB!)
        XCTAssertEqual(out.shape, [2, 3, 32, 32])
        XCTAssertGreaterThanOrEqual(out.min().item(), -1)
        XCTAssertLessThanOrEqual(out.max().item(), 1)
        XCTAssertEqual(model.inputAndTarget(examples).input.scalars, examples.imagesB!.scalars)
        XCTAssertTrue(model.G_BA.isTraining, "translateForOutput restores training mode")
        XCTAssertThrowsError(try model.translate(Tensor.zeros([1, 3, 64, 64])))
    }

    /// N iterations straight equal N/2, a checkpoint, a fresh model restored from it and N/2
    /// more: weights, optimiser state, replay buffers, their random stream and the rate
    /// schedule all come back. One batch per epoch, 4 epochs and a decay from epoch 1, so the
    /// rate falls in both halves (1, 1, 2/3, 1/3 of 2e-4). 2 residual blocks keep it quick.
    func testResumeIsIdentical() throws {
        let config = try Self.config(["img-size": 32, "n-epochs": 4], extra: ["decay-epoch": 1, "n-residual-blocks": 2],
                                     directory: try Pix2PixTests.facades())
        let source = try TrainingData(CycleGAN.self, config: config).batches(batchSize: 1, seed: 3)
        let batches = try (0..<4).map { try source.batch($0, epoch: 0) }
        func run(_ model: CycleGAN, _ iterations: Range<Int>) throws -> [[Float]] {
            try iterations.map { i in
                model.epochStarted(i)
                return try model.trainStep(batches[i], batchesDone: i).map(\.value)
            }
        }
        let straight = CycleGAN(config: config, seed: 5)
        let straightLosses = try run(straight, 0..<4)

        let first = CycleGAN(config: config, seed: 5)
        var losses = try run(first, 0..<2)
        // As `gan train --resume`: the run's seed (streams are seeded from it), weights from the
        // checkpoint (they differ from the seed's initial ones after two iterations).
        let resumed = try restoredCopy(of: first, seed: 5, batchesDone: 2, epoch: 2, batch: 0)
        XCTAssertEqual(resumed.fakeABuffer.count, 2, "the replay buffers are restored")
        losses += try run(resumed, 2..<4)

        XCTAssertEqual(losses, straightLosses)
        XCTAssertEqual(resumed.optimizerG.learningRate, straight.optimizerG.learningRate)
        XCTAssertEqual(resumed.optimizerG.learningRate, 0.0002 * (1 - 2.0 / 3.0), accuracy: 1e-10)
        let a = Self.state(straight), b = Self.state(resumed)
        XCTAssertEqual(a.map(\.0), b.map(\.0))
        for ((name, x), (_, y)) in zip(a, b) { XCTAssertEqual(x, y, "\(name) differs after resume") }
        for ((n, x), (_, y)) in zip(straight.randomStreams, resumed.randomStreams) { XCTAssertEqual(x.offset, y.offset, n) }
    }

    func testProgressGridHasTheReferenceLayout() throws {
        let model = try Self.model()
        XCTAssertEqual(model.progressExamples, 5)
        let a = Tensor.full([2, 3, 32, 32], 0.5), b = Tensor.full([2, 3, 32, 32], -0.5)
        let grid = withoutGrad { model.progressGrid(examples: TrainingBatch(images: a, imagesB: b)) }
        XCTAssertEqual(grid.rows, 5, "5 examples per row of the grid")
        XCTAssertEqual(grid.images.shape, [2, 3, 4 * 32, 32], "real A / fake B / real B / fake A stacked vertically")
        let tile = grid.images.slice(dim: 0, start: 0, end: 1)
        func part(_ k: Int) -> [Float] { tile.slice(dim: 2, start: 32 * k, end: 32 * (k + 1)).scalars }
        let first = { (t: Tensor) in t.slice(dim: 0, start: 0, end: 1) }
        XCTAssertEqual(part(0), first(a).scalars, "real A on top")
        XCTAssertEqual(part(1), withoutGrad { model.G_AB(first(a)) }.scalars, "then G_AB(real A)")
        XCTAssertEqual(part(2), first(b).scalars, "then real B")
        XCTAssertEqual(part(3), try model.translateForOutput(first(b)).scalars, "then G_BA(real B)")
        XCTAssertTrue(model.G_AB.isTraining, "the picture restores training mode")
    }

    // MARK: - Parity with PyTorch-GAN's models.py

    nonisolated(unsafe) static var cachedFixture: [String: Any]?
    func fixture() throws -> [String: Any] {
        if let f = Self.cachedFixture { return f }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/cyclegan_parity.json")
        let f = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        Self.cachedFixture = f
        return f
    }

    /// Fills every state-dict tensor as Scripts/make_cyclegan_parity.py does:
    /// 0.05 sin(0.37 ((i * i) mod 1013) + 1.3 k + phase) for element i of the k-th key (the
    /// quadratic index keeps the convolutions from cancelling; see the script).
    static func fill(_ net: Module, phase: Double) throws {
        let dict = net.stateDict()
        for (k, name) in dict.names.enumerated() {
            let t = dict[name]!
            t.assign(Tensor(shape: t.shape, scalars: (0..<t.count).map { i in
                Float(0.05 * sin(0.37 * Double((i * i) % 1013) + 1.3 * Double(k) + phase))
            }))
        }
    }

    static func parityInput(_ size: Int) -> Tensor {
        Tensor(shape: [2, 3, size, size], scalars: (0..<(2 * 3 * size * size)).map { Float(0.9 * sin(0.11 * Double($0) + 0.5)) })
    }

    static func maxDifference(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { abs(Double($0) - $1) }.max() ?? .infinity
    }

    func testNetworksMatchTheReferenceModels() throws {
        let f = try fixture()
        let size = try XCTUnwrap(f["size"] as? Int), blocks = try XCTUnwrap(f["residual_blocks"] as? Int)
        let g = ResNetGenerator(style: .cyclegan, residualBlocks: blocks), d = PatchDiscriminator(inChannels: 3)
        for (net, key, count) in [(g as Module, "generator", 11_378_179), (d, "discriminator", 2_764_737)] {
            let expected = try XCTUnwrap(f["\(key)_keys"] as? [[Any]]).map { "\($0[0] as! String) \($0[1] as! [Int])" }
            let dict = net.stateDict()
            XCTAssertEqual(dict.names.map { "\($0) \(dict[$0]!.shape)" }, expected, "\(key): state-dict keys and shapes in PyTorch's order")
            XCTAssertEqual(net.parameterCount, try XCTUnwrap(f["\(key)_parameters"] as? Int))
            XCTAssertEqual(net.parameterCount, count)
            try Self.fill(net, phase: 0)
        }
        let x = Self.parityInput(size)
        for (net, key) in [(g as Module, "generator"), (d, "discriminator")] {
            let want = try XCTUnwrap(f["\(key)_output"] as? [Double])
            for training in [true, false] {
                net.train(training)
                let out = withoutGrad { net(x) }
                XCTAssertEqual(out.shape, try XCTUnwrap(f["\(key)_output_shape"] as? [Int]))
                let diff = Self.maxDifference(out.scalars, want)
                print("cyclegan parity: \(key) (\(training ? "train" : "eval") mode) max |difference| \(diff)")
                XCTAssertLessThanOrEqual(diff, 1e-4, "\(key) (\(training ? "train" : "eval") mode): max |difference| \(diff)")
            }
            net.train()
        }
    }

    /// One training iteration of cyclegan.py's losses at 32 px with the formula weights.
    func testLossesMatchTheReferenceScript() throws {
        let f = try fixture()
        let size = try XCTUnwrap(f["size"] as? Int)
        let want = try XCTUnwrap(f["losses"] as? [String: Double])
        let model = CycleGAN(config: try Self.config(["img-size": Double(size)]), seed: 0)
        for (net, phase) in [(model.G_AB as Module, 0.0), (model.D_A, 0), (model.G_BA, 0.7), (model.D_B, 0.7)] {
            try Self.fill(net, phase: phase)
        }
        let x = Self.parityInput(size)
        model.epochStarted(0)
        let losses = try model.trainStep(TrainingBatch(images: x.slice(dim: 0, start: 0, end: 1), imagesB: x.slice(dim: 0, start: 1, end: 2)),
                                         batchesDone: 0)
        XCTAssertEqual(losses.count, want.count)
        print("cyclegan parity: losses \(losses.map { "\($0.name) \($0.value) (reference \(want[$0.name] ?? .nan))" }.joined(separator: ", "))")
        for (name, value) in losses {
            let expected = try XCTUnwrap(want[name], name)
            XCTAssertEqual(Double(value), expected, accuracy: 1e-4 * max(1, abs(expected)), name)
        }
    }
}
