// Checks every model test makes: parameters that trained, a checkpoint round trip, and an
// image-to-image model's translations.
import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// Every parameter of every network as values, named "network.parameter".
func parameterSnapshot(_ model: any GANModel) -> [(name: String, values: [Float])] {
    model.networks.flatMap { n in n.module.namedParameters().map { ("\(n.name).\($0.name)", $0.tensor.scalars) } }
}

/// Every trainable parameter changed since `before`, except `exempt` ones (whose gradient is
/// zero by construction, say a bias just before a norm that subtracts the mean).
func assertTrainableParametersChanged(_ model: any GANModel, since before: [(name: String, values: [Float])], exempt: Set<String> = [],
                                      file: StaticString = #filePath, line: UInt = #line) {
    let after = model.networks.flatMap { n in n.module.namedParameters().map { ("\(n.name).\($0.name)", $0.tensor) } }
    XCTAssertEqual(before.count, after.count, file: file, line: line)
    for ((name, old), (_, new)) in zip(before, after) where new.requiresGrad && !exempt.contains(name) {
        XCTAssertNotEqual(old, new.scalars, "\(type(of: model).info.name): trainable parameter \(name) did not change", file: file, line: line)
    }
}

/// `model` written as a checkpoint (as `gan train` writes one) and restored into a model of
/// the same configuration built with `seed`; its random streams must come back too.
/// `inspect` sees the checkpoint folder before it is removed.
func restoredCopy<M: GANModel>(of model: M, seed: UInt64 = 99, batchesDone: Int = 3, epoch: Int = 0, batch: Int? = nil,
                               file: StaticString = #filePath, line: UInt = #line,
                               inspect: (URL) throws -> Void = { _ in }) throws -> M {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftgan-checkpoint-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    var streams: [String: UInt64] = [:]
    for (n, g) in model.randomStreams { streams[n] = g.offset }
    let manifest = CheckpointManifest(model: M.info.name, batchesDone: batchesDone, epoch: epoch, batch: batch ?? batchesDone, seed: seed,
                                      randomStreams: streams, config: model.config, networks: model.networks.map(\.name),
                                      optimizers: model.optimizers.map(\.name), swiftganVersion: SwiftGAN.version)
    try Checkpoint.save(model, manifest: manifest, in: dir)
    let copy = M(config: model.config, seed: seed)
    let folder = try Checkpoint.resolve(dir.path)
    try inspect(folder)
    try Checkpoint.restore(copy, from: folder, manifest: try Checkpoint.readManifest(folder))
    for ((n, a), (_, b)) in zip(model.randomStreams, copy.randomStreams) {
        XCTAssertEqual(a.offset, b.offset, "random stream \(n) after restore", file: file, line: line)
    }
    return copy
}

/// `model`'s translations of `inputs`: of `shape`, in [-1, 1], computed in eval mode with
/// `network` back in training mode afterwards; inputs of `wrongShape` are refused.
func checkedTranslations(_ model: any GANModel, _ inputs: Tensor, shape: [Int], network: Module, wrongShape: [Int],
                         file: StaticString = #filePath, line: UInt = #line) throws -> Tensor {
    let out = try model.translateForOutput(inputs)
    XCTAssertEqual(out.shape, shape, file: file, line: line)
    XCTAssertGreaterThanOrEqual(out.min().item(), -1, file: file, line: line)
    XCTAssertLessThanOrEqual(out.max().item(), 1, file: file, line: line)
    XCTAssertTrue(network.isTraining, "translateForOutput restores training mode", file: file, line: line)
    XCTAssertThrowsError(try model.translate(Tensor.zeros(wrongShape)), file: file, line: line)
    return out
}

/// `iterations` training iterations straight, against half of them, a checkpoint restored into
/// a model of the same seed (as `gan train --resume` builds one), and the other half: the
/// losses and every parameter must be the same to the bit.
func assertResumeIsIdentical<M: GANModel>(_ type: M.Type, config: ModelConfig, iterations: Int, seed: UInt64 = 5,
                                          file: StaticString = #filePath, line: UInt = #line) throws {
    let source = try TrainingData(M.self, config: config).batches(batchSize: config.common.batchSize, seed: seed)
    let batches = try (0..<iterations).map { try source.batch($0 % source.batchesPerEpoch, epoch: $0 / source.batchesPerEpoch) }
    func train(_ model: M, _ range: Range<Int>) throws -> [Float] {
        try range.flatMap { i in try model.trainStep(batches[i], batchesDone: i).map(\.value) }
    }
    let straight = M(config: config, seed: seed)
    try straight.prepareToTrain()
    let straightLosses = try train(straight, 0..<iterations)
    let first = M(config: config, seed: seed)
    try first.prepareToTrain()
    let half = iterations / 2
    var losses = try train(first, 0..<half)
    let resumed = try restoredCopy(of: first, seed: seed, batchesDone: half, file: file, line: line)
    try resumed.prepareToTrain()
    losses += try train(resumed, half..<iterations)
    XCTAssertEqual(losses, straightLosses, "\(M.info.name): losses of the resumed run", file: file, line: line)
    for (a, b) in zip(parameterSnapshot(straight), parameterSnapshot(resumed)) {
        XCTAssertEqual(a.values, b.values, "\(M.info.name): \(a.name) after resume", file: file, line: line)
    }
}
