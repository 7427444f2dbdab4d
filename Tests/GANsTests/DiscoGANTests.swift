import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// Parity with PyTorch-GAN's own networks (Scripts/make_discogan_dualgan_parity.py): the
/// script and these helpers fill the networks with the same formula of each state-dict key's
/// position and element index, and feed the same formula inputs.
enum ReferenceParity {
    static func fixture(_ name: String) throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)_parity.json")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// Element i of the k-th key: `scale` sin(0.37 i + 1.3 k) (running variances 1 + 0.1 sin(...));
    /// num_batches_tracked is left alone. Returns the keys in order.
    @discardableResult
    static func fill(_ net: Module, scale: Double = 0.02) -> [String] {
        let dict = net.stateDict()
        withoutGrad {
            for (k, name) in dict.names.enumerated() where !name.hasSuffix("num_batches_tracked") {
                let t = dict[name]!
                let count = t.shape.reduce(1, *)
                let variance = name.hasSuffix("running_var")
                let values = (0..<count).map { i -> Float in
                    let s = sin(0.37 * Double(i) + 1.3 * Double(k))
                    return Float(variance ? 1 + 0.1 * s : scale * s)
                }
                t.assign(Tensor(shape: t.shape, scalars: values))
            }
        }
        return dict.names
    }

    /// The j-th formula input: element i is 0.9 sin(0.11 i + 0.5 + 0.7 j).
    static func input(_ shape: [Int], _ j: Int = 0) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<count).map { Float(0.9 * sin(0.11 * Double($0) + 0.5 + 0.7 * Double(j))) })
    }

    /// Compares an output with its recorded summary: shape, every stride-th element to
    /// `tolerance` (`relative`: times the largest |element|, for gradients of size 10-100),
    /// and the sum and sum of |y| to `tolerance` relative to the sum of |y|.
    static func check(_ y: Tensor, _ summary: Any?, _ what: String, tolerance: Double = 1e-4, relative: Bool = false,
                      file: StaticString = #filePath, line: UInt = #line) throws {
        let s = try XCTUnwrap(summary as? [String: Any], "\(what): no summary", file: file, line: line)
        XCTAssertEqual(y.shape, s["shape"] as? [Int], "\(what) shape", file: file, line: line)
        let stride = try XCTUnwrap(s["stride"] as? Int), expected = try XCTUnwrap(s["values"] as? [Double])
        let scalars = y.scalars
        let ours = Swift.stride(from: 0, to: scalars.count, by: stride).map { Double(scalars[$0]) }
        XCTAssertEqual(ours.count, expected.count, "\(what): strided element count", file: file, line: line)
        let worst = zip(ours, expected).map { abs($0 - $1) }.max() ?? 0
        let elementScale = relative ? Swift.max(1, expected.map(abs).max() ?? 0) : 1
        XCTAssertLessThanOrEqual(worst, tolerance * elementScale, "\(what): largest element difference", file: file, line: line)
        print("parity \(what): largest difference \(worst) over \(ours.count) elements; sum \(scalars.reduce(0) { $0 + Double($1) }) (PyTorch \(s["sum"] ?? "?"))")
        let absSum = try XCTUnwrap(s["abs_sum"] as? Double), sum = try XCTUnwrap(s["sum"] as? Double)
        let scale = Swift.max(1, absSum)
        XCTAssertEqual(scalars.reduce(0) { $0 + Double($1) }, sum, accuracy: tolerance * scale, "\(what) sum", file: file, line: line)
        XCTAssertEqual(scalars.reduce(0) { $0 + abs(Double($1)) }, absSum, accuracy: tolerance * scale, "\(what) sum of |y|",
                       file: file, line: line)
    }

    /// The network's state-dict keys against the fixture's, filled; the case's input shape.
    static func prepare(_ net: Module, _ entry: Any?, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws
        -> (case: [String: Any], inputShape: [Int]) {
        let c = try XCTUnwrap(entry as? [String: Any], "\(what): no fixture", file: file, line: line)
        XCTAssertEqual(fill(net), c["keys"] as? [String], "\(what) state-dict keys in PyTorch's order", file: file, line: line)
        return (c, try XCTUnwrap(c["input_shape"] as? [Int]))
    }

    /// The shared facades as two domains: `../shared/data/facades` from the package root.
    static func facades() throws -> String { try Pix2PixTests.facades() }
}

/// discogan at its smallest size (64: the U-Nets halve the image 6 times), batch 2, on the
/// shared facades as two independently drawn domains.
final class DiscoGANTests: XCTestCase {
    static func config(extra: [String: Double] = [:], directory: String? = nil, batchSize: Int = 2) throws -> ModelConfig {
        try Zoo.config(for: DiscoGAN.self, common: ["batch-size": Double(batchSize)], extra: extra,
                       data: DataOptions(directory: directory))
    }

    /// One model for the tests that do not train it (building 60M parameters takes seconds in
    /// a debug build).
    nonisolated(unsafe) static var shared: DiscoGAN?
    static func model() throws -> DiscoGAN {
        if let shared { return shared }
        let m = DiscoGAN(config: try config(), seed: 0)
        shared = m
        return m
    }

    func testParameterCountsAndDefaults() throws {
        let defaults = try Zoo.config(for: DiscoGAN.self, common: [:], extra: [:])
        XCTAssertEqual(defaults.common.batchSize, 64)
        XCTAssertEqual(defaults.common.imgSize, 64)
        XCTAssertEqual(defaults.common.channels, 3)
        XCTAssertEqual(defaults.common.nEpochs, 200)
        XCTAssertEqual(defaults.common.lr, 0.0002)
        XCTAssertEqual(defaults.common.b1, 0.5)
        XCTAssertEqual(defaults.common.b2, 0.999)
        XCTAssertEqual(defaults.common.sampleInterval, 100)
        XCTAssertFalse(defaults.flag("paired-l1"))
        let model = try Self.model()
        let counts = Dictionary(uniqueKeysWithValues: model.networks.map { ($0.name, $0.module.parameterCount) })
        XCTAssertEqual(counts, ["G_AB": 29_241_731, "G_BA": 29_241_731, "D_A": 662_977, "D_B": 662_977])
        XCTAssertEqual(model.networks.map(\.name), ["G_AB", "G_BA", "D_A", "D_B"])
        XCTAssertTrue(model.generator === model.gBA, "gan sample translates B -> A")
        XCTAssertEqual(model.optimizers.map(\.name), ["optimizer_G", "optimizer_D_A", "optimizer_D_B"])
        XCTAssertEqual(model.optimizers[0].optimizer.parameters.count, 2 * model.gAB.parameters().count, "optimizer_G holds both generators")
        XCTAssertEqual(model.randomStreams.map(\.name), ["dropout"])
        // Data: the paper's unpaired domains by default, the reference's pairs with --paired-l1.
        let data = DiscoGAN.data(for: defaults)
        XCTAssertEqual(data.kind, .unpaired)
        XCTAssertEqual(data.defaultDataset, "edges2shoes")
        XCTAssertEqual(data.fit, .stretch)
        XCTAssertTrue(data.flip)
        XCTAssertEqual(DiscoGAN.data(for: try Self.config(extra: ["paired-l1": 1])).kind, .pairs)
        XCTAssertTrue(Zoo.models.contains { $0 == DiscoGAN.self })
        XCTAssertTrue(try Zoo.model(named: "discogan") == DiscoGAN.self)
    }

    func testImageSizeIsValidated() {
        for size in [32, 96, 100] {
            XCTAssertThrowsError(try Zoo.config(for: DiscoGAN.self, common: ["img-size": Double(size)], extra: [:])) { error in
                XCTAssertTrue("\(error)".contains("multiple of 64"), "\(error)")
            }
        }
        XCTAssertNoThrow(try Zoo.config(for: DiscoGAN.self, common: ["img-size": 128], extra: [:]))
    }

    func testTrainsOnFacadesAndRoundTrips() throws {
        let config = try Self.config(directory: try ReferenceParity.facades())
        let data = try TrainingData(DiscoGAN.self, config: config)
        XCTAssertEqual(data.format, .paired)
        let source = try data.batches(batchSize: 2, seed: 0)
        let model = DiscoGAN(config: config, seed: 0)
        let before = parameterSnapshot(model)
        for i in 0..<3 {
            let batch = try source.batch(i, epoch: 0)
            XCTAssertEqual(batch.images.shape, [2, 3, 64, 64])
            XCTAssertEqual(batch.imagesB?.shape, [2, 3, 64, 64])
            let losses = try model.trainStep(batch, batchesDone: i)
            XCTAssertEqual(losses.map(\.name), ["d_loss", "g_loss", "adv", "cycle"])
            for (name, value) in losses { XCTAssertTrue(value.isFinite, "\(name) = \(value) at iteration \(i)") }
        }
        // A conv bias followed by instance norm cancels in it: its gradient is zero by
        // construction (D's blocks 2 and 3; G's down levels 2-5 and every up level).
        var invariant: Set<String> = []
        for d in ["D_A", "D_B"] { invariant.formUnion(["\(d).model.2.bias", "\(d).model.5.bias"]) }
        for g in ["G_AB", "G_BA"] {
            for level in 2...5 { invariant.insert("\(g).down\(level).model.0.bias") }
            for level in 1...5 { invariant.insert("\(g).up\(level).model.0.bias") }
        }
        assertTrainableParametersChanged(model, since: before, exempt: invariant)

        // translate: B images to A images in [-1, 1].
        let inputs = try source.examples(2).imagesB!
        let out = try checkedTranslations(model, inputs, shape: [2, 3, 64, 64], network: model.gBA, wrongShape: [1, 3, 128, 128])

        // Checkpoint round trip: a model built with another seed translates identically.
        let copy = try restoredCopy(of: model, batchesDone: 3)
        XCTAssertEqual(try copy.translateForOutput(inputs).scalars, out.scalars, "translations after restore")
    }

    /// --paired-l1: the reference's pixel-wise term on pairs.
    func testPairedL1TrainsOnPairs() throws {
        let config = try Self.config(extra: ["paired-l1": 1], directory: try ReferenceParity.facades())
        let source = try TrainingData(DiscoGAN.self, config: config).batches(batchSize: 2, seed: 0)
        let model = DiscoGAN(config: config, seed: 0)
        let losses = try model.trainStep(try source.batch(0, epoch: 0), batchesDone: 0)
        XCTAssertEqual(losses.map(\.name), ["d_loss", "g_loss", "adv", "pixel", "cycle"])
        for (name, value) in losses { XCTAssertTrue(value.isFinite, "\(name) = \(value)") }
        let value = Dictionary(uniqueKeysWithValues: losses.map { ($0.name, $0.value) })
        XCTAssertEqual(value["g_loss"]!, value["adv"]! + value["pixel"]! + value["cycle"]!, accuracy: 1e-4)
    }

    func testProgressGridHasTheReferenceLayout() throws {
        let model = try Self.model()
        XCTAssertEqual(model.progressExamples, 16)
        // Two examples of distinct constant images, so the order is visible.
        let a = Tensor.full([2, 3, 64, 64], 0.5), b = Tensor.full([2, 3, 64, 64], -0.5)
        let grid = withoutGrad { model.progressGrid(examples: TrainingBatch(images: a, imagesB: b)) }
        XCTAssertEqual(grid.rows, 8, "8 images per row of the grid")
        XCTAssertEqual(grid.images.shape, [8, 3, 64, 64], "real_A, fake_B, real_B, fake_A, each a block of the examples")
        XCTAssertEqual(grid.images.slice(dim: 0, start: 0, end: 2).scalars, a.scalars, "real_A first")
        XCTAssertEqual(grid.images.slice(dim: 0, start: 4, end: 6).scalars, b.scalars, "real_B third")
        let expectedFakeB = try withoutGrad { () throws -> Tensor in
            model.gAB.eval()
            defer { model.gAB.train() }
            return model.gAB(a)
        }
        XCTAssertEqual(grid.images.slice(dim: 0, start: 2, end: 4).scalars, expectedFakeB.scalars, "fake_B = G_AB(real_A) second")
        XCTAssertTrue(model.gAB.isTraining && model.gBA.isTraining, "the picture restores training mode")
    }

    /// PyTorch-GAN's discogan GeneratorUNet and Discriminator with formula weights and inputs.
    func testMatchesReferenceNetworks() throws {
        let f = try ReferenceParity.fixture("discogan")
        let g = UNetGenerator(.discogan())
        let (gCase, gShape) = try ReferenceParity.prepare(g, f["G"], "discogan G")
        g.eval()
        try ReferenceParity.check(withoutGrad { g(ReferenceParity.input(gShape)) }, gCase["eval"], "discogan G (eval)")
        let d = PatchDiscriminator(inChannels: 3, widths: [64, 128, 256])
        let (dCase, dShape) = try ReferenceParity.prepare(d, f["D"], "discogan D")
        d.eval()
        try ReferenceParity.check(withoutGrad { d(ReferenceParity.input(dShape)) }, dCase["eval"], "discogan D (eval)")
    }
}
