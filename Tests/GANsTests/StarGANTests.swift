import Autograd
import Evaluation
import Foundation
import NN
import XCTest
@testable import GANs

/// stargan at 32 px with a 4-conv critic (2x2 left for the classifier, as 128 px with 6),
/// batch 2, one residual block, on the shared CelebA faces and their attributes; the
/// reference's sizes for parameter counts and parity.
final class StarGANTests: XCTestCase {
    static func config(_ common: [String: Double] = [:], extra: [String: Double] = [:], directory: String? = nil) throws -> ModelConfig {
        try Zoo.config(for: StarGAN.self, common: common, extra: extra, data: DataOptions(directory: directory))
    }

    /// A quick configuration on the real faces.
    static func smallConfig(nCritic: Int = 5, directory: Bool = true) throws -> ModelConfig {
        try config(["img-size": 32, "batch-size": 2], extra: ["residual-blocks": 1, "n-critic": Double(nCritic), "n-strided": 4],
                   directory: directory ? try sharedData("celeba").path : nil)
    }

    /// Fills every state-dict tensor as Scripts/make_unit_stargan_parity.py does (the values
    /// of DomainTestData.fill): (i * i) mod 1013 repeats every 1013 elements, so one period per
    /// key is computed and repeated (stargan's critic has 44.7M values).
    static func fill(_ net: Module, phase: Double) {
        let dict = net.stateDict()
        for (k, name) in dict.names.enumerated() where !name.hasSuffix("num_batches_tracked") {
            let t = dict[name]!
            let period = (0..<1013).map { i in
                let v = sin(0.37 * Double((i * i) % 1013) + 1.3 * Double(k) + phase)
                return Float(name.hasSuffix("running_var") ? 1 + 0.1 * v : 0.05 * v)
            }
            var values = [Float]()
            values.reserveCapacity(t.count + 1013)
            while values.count < t.count { values += period }
            t.assign(Tensor(shape: t.shape, scalars: Array(values.prefix(t.count))))
        }
    }

    func testDefaultsAndParameterCounts() throws {
        let config = try Self.config()
        XCTAssertEqual([config.common.batchSize, config.common.imgSize, config.common.channels, config.common.sampleInterval,
                        config.common.nEpochs], [16, 128, 3, 400, 200])
        XCTAssertEqual(config.common.lr, 0.0002)
        XCTAssertEqual([config.common.b1, config.common.b2], [0.5, 0.999])
        XCTAssertEqual(config.int("n-critic"), 5)
        XCTAssertEqual(config.int("residual-blocks"), 6)
        XCTAssertEqual([config.float("lambda-cls"), config.float("lambda-rec"), config.float("lambda-gp")], [1, 10, 10])
        XCTAssertEqual(config.int("n-strided"), 6)
        let data = StarGAN.data(for: config)
        XCTAssertEqual(data.kind, .attributes)
        XCTAssertEqual(data.defaultDataset, "celeba")
        XCTAssertEqual(data.attributes, ["Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"])
        XCTAssertEqual(data.fit, .randomCrop)
        XCTAssertEqual(TrainingData.transformSettings(data, config: config).loadSize, 143, "int(1.12 * 128)")
        XCTAssertTrue(data.flip)
        XCTAssertEqual(try Zoo.model(named: "stargan").info.name, "stargan")

        // The networks of the defaults (the whole model would initialise 53M weights twice: slow in debug).
        XCTAssertEqual(ResNetGenerator(style: .stargan, inChannels: 8, outChannels: 3, residualBlocks: 6).parameterCount, 8_430_531)
        XCTAssertEqual(StarGANDiscriminator(imgSize: 128).parameterCount, 44_762_048)

        let model = StarGAN(config: try Self.smallConfig(directory: false), seed: 0)
        XCTAssertEqual(model.networks.map(\.name), ["generator", "discriminator"])
        XCTAssertEqual(model.optimizers.map(\.name), ["optimizer_G", "optimizer_D"])
        XCTAssertEqual(model.randomStreams.map(\.name), ["targets", "penalty"])
        XCTAssertTrue(model.generator === model.G)
        XCTAssertEqual(model.iterationsPerCycle, 5)
        XCTAssertEqual(model.attributeNames, data.attributes)
        // N(0, 0.02) conv weights; the norms' affine parameters keep 1 and 0.
        for (name, t) in model.G.namedParameters() where t.count > 100_000 {
            let s = t.scalars, mean = s.reduce(0, +) / Float(s.count)
            let std = (s.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(s.count)).squareRoot()
            XCTAssertEqual(mean, 0, accuracy: 0.002, name)
            XCTAssertEqual(std, 0.02, accuracy: 0.002, name)
        }
        XCTAssertEqual(model.G.model[1].namedParameters().map { $0.tensor.scalars.reduce(0, +) }, [64, 0])
    }

    func testConfigurationIsValidated() {
        for size in [32, 96, 100] {
            XCTAssertThrowsError(try Self.config(["img-size": Double(size)])) { XCTAssertTrue("\($0)".contains("multiple of 64"), "\($0)") }
        }
        XCTAssertNoThrow(try Self.config(["img-size": 64]))
        XCTAssertNoThrow(try Self.config(["img-size": 32], extra: ["n-strided": 4]))
        XCTAssertThrowsError(try Self.config(extra: ["n-strided": 7]))
        XCTAssertThrowsError(try Self.config(extra: ["n-critic": 0]))
        XCTAssertThrowsError(try Self.config(extra: ["lambda-rec": -1]))
        XCTAssertThrowsError(try Self.config(extra: ["residual-blocks": -1]))
        XCTAssertThrowsError(try Self.config(extra: ["lambda-cyc": 1]), "cyclegan's option is not stargan's")
    }

    /// The reference's GeneratorResNet (32 px, 6 blocks; train and eval mode) and
    /// Discriminator (64 px, both heads) at the same weights (Scripts/make_unit_stargan_parity.py).
    func testNetworksMatchTheReferenceModels() throws {
        let f = try DomainTestData.fixture("stargan")
        let gSize = try XCTUnwrap(f["generator_size"] as? Int), dSize = try XCTUnwrap(f["discriminator_size"] as? Int)
        let g = ResNetGenerator(style: .stargan, inChannels: 8, outChannels: 3, residualBlocks: try XCTUnwrap(f["residual_blocks"] as? Int))
        let d = StarGANDiscriminator(imgSize: dSize)
        for (net, key, phase) in [(g as Module, "generator", 0.0), (d, "discriminator", 0.7)] {
            XCTAssertEqual(DomainTestData.keys(net), try DomainTestData.keys(f, key), "\(key): state-dict keys and shapes in PyTorch's order")
            XCTAssertEqual(net.parameterCount, try XCTUnwrap(f["\(key)_parameters"] as? Int))
            Self.fill(net, phase: phase)
        }
        XCTAssertEqual(g.parameterCount, 8_430_531)
        XCTAssertEqual(f["default_discriminator_parameters"] as? Int, 44_762_048)
        let x = DomainTestData.formula([2, 3, gSize, gSize], 0.9, 0.11, 0.5)
        let labels = Tensor(shape: [2, 5], scalars: try XCTUnwrap(f["labels"] as? [[Double]]).flatMap { $0.map(Float.init) })
        let outputs = try XCTUnwrap(f["generator_output"] as? [String: Any])
        for mode in ["train", "eval"] {
            Self.fill(g, phase: 0)
            g.train(mode == "train")
            try withoutGrad { try DomainTestData.compare(g(x, attributes: labels), outputs[mode], "stargan parity: generator (\(mode) mode)") }
        }
        g.train()
        let scores = withoutGrad { d.scores(DomainTestData.formula([2, 3, dSize, dSize], 0.9, 0.05, 0.2)) }
        let want = try XCTUnwrap(f["discriminator_output"] as? [Any])
        try DomainTestData.compare(scores.adversarial, want[0], "stargan parity: critic scores")
        try DomainTestData.compare(scores.logits, want[1], "stargan parity: attribute logits")
    }

    /// Of the three hair colours exactly one is set, each as often; Male and Young are fair
    /// coins; and the draws of a fixed seed are these.
    func testRandomTargetsSetOneHairColourAtATime() throws {
        let names = StarGAN.defaultAttributes
        let first = StarGAN.randomTargets(count: 4, attributes: names, generator: RandomGenerator(seed: 3))
        XCTAssertEqual(first.shape, [4, 5])
        XCTAssertEqual(first.scalars, [1, 0, 0, 0, 1,
                                       0, 1, 0, 0, 1,
                                       0, 0, 1, 1, 0,
                                       0, 1, 0, 0, 0])
        let n = 3000
        let rows = StarGAN.randomTargets(count: n, attributes: names, generator: RandomGenerator(seed: 4)).scalars
        var hair = [0, 0, 0], male = 0, young = 0
        for r in 0..<n {
            let row = Array(rows[(5 * r)..<(5 * r + 5)])
            XCTAssertEqual(row[0] + row[1] + row[2], 1, "row \(r): one hair colour")
            for i in 0..<3 where row[i] == 1 { hair[i] += 1 }
            male += Int(row[3])
            young += Int(row[4])
        }
        for count in hair { XCTAssertEqual(Double(count) / Double(n), 1.0 / 3, accuracy: 0.03) }
        XCTAssertEqual(Double(male) / Double(n), 0.5, accuracy: 0.03)
        XCTAssertEqual(Double(young) / Double(n), 0.5, accuracy: 0.03)
        // A single hair colour among the attributes is a coin like the others; Gray_Hair joins the group.
        let single = StarGAN.randomTargets(count: 200, attributes: ["Blond_Hair", "Male"], generator: RandomGenerator(seed: 5)).scalars
        XCTAssertTrue(single.contains(0) && single.contains(1))
        XCTAssertTrue(stride(from: 0, to: single.count, by: 2).contains { single[$0] == 0 }, "no hair colour forced on")
        XCTAssertEqual(StarGAN.hairGroup(["Gray_Hair", "Male", "Black_Hair"]), [0, 2])
    }

    /// Three iterations on real faces (a generator step on the first): losses finite, every
    /// parameter moved; a checkpoint round trip gives the same edits.
    func testTrainsOnCelebAAndRoundTripsACheckpoint() throws {
        let config = try Self.smallConfig()
        let source = try TrainingData(StarGAN.self, config: config).batches(batchSize: 2, seed: 1)
        let model = StarGAN(config: config, seed: 2)
        let before = parameterSnapshot(model)
        var losses: [Losses] = []
        for i in 0..<3 {
            let batch = try source.batch(i, epoch: 0)
            XCTAssertEqual(batch.images.shape, [2, 3, 32, 32])
            XCTAssertEqual(batch.attributes?.shape, [2, 5])
            losses.append(try model.trainStep(batch, batchesDone: i))
        }
        XCTAssertEqual(losses[0].map(\.name), ["d_adv", "d_cls", "g_loss", "g_adv", "g_cls", "cycle"])
        XCTAssertTrue(losses.allSatisfy { $0.allSatisfy { $0.value.isFinite } }, "\(losses)")
        XCTAssertEqual(losses[1][2].value, losses[0][2].value, "G's loss is carried between its steps")
        assertTrainableParametersChanged(model, since: before)

        let faces = try source.examples(2).images
        let edited = try model.edit(faces, attributes: ["Blond_Hair", "Male"])
        XCTAssertEqual(edited.shape, [2, 3, 32, 32])
        XCTAssertTrue(edited.min().item() >= -1 && edited.max().item() <= 1)
        XCTAssertEqual(edited.scalars, withoutGrad { model.G(faces, attributes: Tensor(shape: [2, 5], scalars: [0, 1, 0, 1, 0, 0, 1, 0, 1, 0])) }.scalars,
                       "blond, male, all else off; the faces' own statistics (training mode)")
        XCTAssertTrue(model.G.isTraining)
        let copy = try restoredCopy(of: model)
        XCTAssertEqual(try copy.edit(faces, attributes: ["Blond_Hair", "Male"]).scalars, edited.scalars)
    }

    /// --selected-attrs: any attributes of the file, one channel and one logit each; the hair
    /// group holds whichever hair colours are among them; unknown names get the file's list.
    func testSelectedAttributesChooseTheConditioning() throws {
        let names = ["Eyeglasses", "Gray_Hair", "Smiling", "Black_Hair"]
        let config = try Zoo.config(for: StarGAN.self, common: ["img-size": 32, "batch-size": 2],
                                    extra: ["residual-blocks": 0, "n-strided": 4],
                                    data: DataOptions(directory: try sharedData("celeba").path, attributes: names))
        let model = StarGAN(config: config, seed: 0)
        XCTAssertEqual(model.attributeNames, names)
        XCTAssertEqual(model.G.model[0].parameters()[0].shape, [64, 3 + 4, 7, 7])
        XCTAssertEqual(model.D.out2.weight.shape, [4, 512, 2, 2])
        XCTAssertEqual(StarGAN.hairGroup(names), [1, 3])
        let batch = try TrainingData(StarGAN.self, config: config).batches(batchSize: 2, seed: 0).batch(0, epoch: 0)
        XCTAssertEqual(batch.attributes?.shape, [2, 4])
        XCTAssertTrue(try model.trainStep(batch, batchesDone: 0).allSatisfy { $0.value.isFinite })

        var wrong = config
        wrong.data.attributes = ["Eyeglasses", "Hat"]
        XCTAssertThrowsError(try TrainingData(StarGAN.self, config: wrong).batches(batchSize: 2, seed: 0)) {
            XCTAssertTrue("\($0)".contains("no attribute named 'Hat'; it has: 5_o_Clock_Shadow"), "\($0)")
        }
        for bad in [[], ["Male", "Male"]] {
            XCTAssertThrowsError(try Zoo.config(for: StarGAN.self, common: [:], extra: [:], data: DataOptions(attributes: bad)))
        }
        XCTAssertThrowsError(try Zoo.config(for: UNIT.self, common: [:], extra: [:], data: DataOptions(attributes: ["Male"]))) {
            XCTAssertTrue("\($0)".contains("--selected-attrs applies to"), "\($0)")
        }
    }

    /// Three iterations straight equal one, a checkpoint, and two more: a generator step each
    /// side of it, the batch after it reporting G's loss carried through the checkpoint.
    func testResumeIsIdentical() throws {
        try assertResumeIsIdentical(StarGAN.self, config: try Self.smallConfig(nCritic: 2), iterations: 3)
    }

    /// gan eval's scoring after three iterations: four held-out faces, each edited once per
    /// attribute and judged by the shipped classifier; the numbers are fractions of 4 (of 20
    /// over all edits), the L1 is that of the edits `edit(_:targets:)` makes; a classifier
    /// that lacks the run's attributes is refused in one sentence.
    func testEvaluationJudgesEditsOfHeldOutFaces() throws {
        let config = try Self.smallConfig()
        let data = try TrainingData(StarGAN.self, config: config)
        let source = try data.batches(batchSize: 2, seed: 1)
        let model = StarGAN(config: config, seed: 2)
        for i in 0..<3 { _ = try model.trainStep(try source.batch(i, epoch: 0), batchesDone: i) }
        let heldOut = try data.heldOutFaces()
        XCTAssertEqual(heldOut.count, 2000)
        XCTAssertEqual(heldOut.files.first?.lastPathComponent, "008001.jpg")
        XCTAssertEqual(heldOut.count, CelebAFaces.heldOut, "stargan and its classifier hold out the same faces")

        let classifier = try AttributeClassifier.shipped()
        let report = try AttributeEvaluation.run(model, classifier: classifier, limit: 4)
        XCTAssertEqual(report.faces, 4)
        XCTAssertEqual(report.attributes, StarGAN.defaultAttributes)
        for (values, per) in [(report.editAccuracy, 4.0), (report.targetAccuracy, 20.0), (report.inputAccuracy, 4.0)] {
            XCTAssertEqual(values.count, 5)
            XCTAssertTrue(values.allSatisfy { (0...1).contains($0) && ($0 * per).rounded() == $0 * per }, "\(values)")
        }
        XCTAssertTrue(report.editL1.allSatisfy { $0 > 0 && $0 < 1 }, "\(report.editL1)")

        // Recomputed here: the classifier on the inputs, and the gender flips' L1 on [0, 1].
        let examples = try (0..<4).map { try heldOut.example(at: $0, generator: RandomGenerator(seed: 0)) }
        let faces = Tensor(shape: [4, 3, 32, 32], scalars: examples.flatMap { $0.images[0].values })
        XCTAssertEqual(report.inputAccuracy, try classifier.accuracy(faces, labels: examples.map(\.labels)))
        let flips = Tensor(shape: [4, 5], scalars: examples.flatMap { model.singleEdits(of: $0.labels)[3] })
        let edited = try model.edit(faces, targets: flips)
        XCTAssertEqual(report.editL1[3], Double(((edited - faces).abs() / 2).mean().item()), accuracy: 1e-5)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        XCTAssertEqual(json["n"] as? Int, 4)
        XCTAssertEqual((json["edit_accuracy"] as? [String: Double])?["Male"], report.editAccuracy[3])
        XCTAssertTrue(report.table.contains("4 held-out faces"), report.table)

        XCTAssertThrowsError(try AttributeEvaluation.run(model, classifier: AttributeClassifier(attributes: ["Male", "Smiling"]), limit: 1)) {
            XCTAssertEqual("\($0)", "the attribute classifier predicts Male,Smiling, but this stargan run edits Black_Hair,Blond_Hair,Brown_Hair,Male,Young: train one for them with `gan train-classifier --celeba --attributes Black_Hair,Blond_Hair,Brown_Hair,Male,Young --out FILE` and give it with --classifier FILE")
        }
    }

    /// Each attribute's edit: a hair colour set with the rest of the group off, anything else flipped.
    func testSingleEditsFlipEachAttribute() throws {
        let model = StarGAN(config: try Self.smallConfig(directory: false), seed: 0)
        XCTAssertEqual(model.singleEdits(of: [1, 0, 0, 1, 0]),
                       [[1, 0, 0, 1, 0], [0, 1, 0, 1, 0], [0, 0, 1, 1, 0], [1, 0, 0, 0, 0], [1, 0, 0, 1, 1]])
        XCTAssertThrowsError(try model.edit(Tensor.zeros([2, 3, 32, 32]), targets: Tensor.zeros([2, 4])))
    }

    /// Edits name their attributes; wrong names and two hair colours get one clear sentence.
    func testEditsRefuseUnknownAttributesAndTwoHairColours() throws {
        let model = StarGAN(config: try Self.smallConfig(directory: false), seed: 0)
        let faces = Tensor.zeros([1, 3, 32, 32])
        XCTAssertEqual(try model.targetAttributes(["Young", "Black_Hair"]), [1, 0, 0, 0, 1])
        XCTAssertEqual(try model.targetAttributes([]), [0, 0, 0, 0, 0])
        XCTAssertThrowsError(try model.edit(faces, attributes: ["Bald"])) {
            XCTAssertEqual("\($0)", "--attributes: stargan was trained on Black_Hair, Blond_Hair, Brown_Hair, Male, Young; 'Bald' is not one of them")
        }
        XCTAssertThrowsError(try model.edit(faces, attributes: ["Black_Hair", "Blond_Hair"])) {
            XCTAssertTrue("\($0)".contains("at most one hair colour"), "\($0)")
        }
        XCTAssertThrowsError(try model.translate(faces)) { XCTAssertTrue("\($0)".contains("give --attributes"), "\($0)") }
        XCTAssertThrowsError(try model.edit(Tensor.zeros([1, 3, 64, 64]), attributes: ["Male"]))
    }

    /// The reference's picture: per face a row of the face and its 5 edits (black, blond,
    /// brown hair, gender flipped, age flipped).
    func testProgressGridHasTheReferenceLayout() throws {
        let model = StarGAN(config: try Self.smallConfig(directory: false), seed: 0)
        XCTAssertEqual(model.progressExamples, 10)
        let faces = DomainTestData.formula([2, 3, 32, 32], 0.9, 0.11, 0.5)
        let labels = Tensor(shape: [2, 5], scalars: [1, 0, 0, 1, 0, 0, 0, 1, 0, 1])
        let grid = model.progressGrid(examples: TrainingBatch(images: faces, attributes: labels))
        XCTAssertEqual(grid.rows, 6)
        XCTAssertEqual(grid.images.shape, [12, 3, 32, 32])
        XCTAssertEqual(grid.images.slice(dim: 0, start: 6, end: 7).scalars, faces.slice(dim: 0, start: 1, end: 2).scalars)
        let face = faces.slice(dim: 0, start: 1, end: 2).expand(to: [5, 3, 32, 32])
        let edits = Tensor(shape: [5, 5], scalars: [1, 0, 0, 0, 1,  0, 1, 0, 0, 1,  0, 0, 1, 0, 1,  0, 0, 1, 1, 1,  0, 0, 1, 0, 0])
        XCTAssertEqual(grid.images.slice(dim: 0, start: 7, end: 12).scalars, model.generate(face, attributes: edits).scalars)
    }
}
