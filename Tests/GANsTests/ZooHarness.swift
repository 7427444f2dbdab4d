import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// Real MNIST digits for model tests (the built-in copy), loaded once per image size.
enum TestData {
    nonisolated(unsafe) private static var cache: [Int: MNISTTrainingSet] = [:]
    private static let lock = NSLock()

    static func mnist(imageSize: Int) throws -> MNISTTrainingSet {
        lock.lock()
        defer { lock.unlock() }
        if let s = cache[imageSize] { return s }
        let s = try MNISTTrainingSet(imageSize: imageSize, limit: 256)
        cache[imageSize] = s
        return s
    }
}

/// The checks issue 8 asks of every model: the reference's parameter counts, three
/// training iterations on real digits with finite losses that change every trainable
/// parameter of every network, and a checkpoint that round-trips exactly.
/// A small batch keeps debug-build tests fast; parameter counts do not depend on it.
/// `invariant` names parameters ("discriminator.model.4.bias") whose gradient is zero by
/// construction, as in the reference (a critic's output bias cancels in D(real) - D(fake));
/// they are not required to change.
func checkZooModel(_ type: any GANModel.Type, parameterCounts: [String: Int], batchSize: Int = 8,
                   extra: [String: Double] = [:], invariant: Set<String> = [],
                   file: StaticString = #filePath, line: UInt = #line) throws {
    let config = try Zoo.config(for: type, common: ["batch-size": Double(batchSize)], extra: extra)
    let model = type.init(config: config, seed: 0)
    for (name, module) in model.networks {
        guard let expected = parameterCounts[name] else {
            XCTFail("\(type.info.name): no expected parameter count for network \(name)", file: file, line: line)
            continue
        }
        XCTAssertEqual(module.parameterCount, expected, "\(type.info.name).\(name) parameter count", file: file, line: line)
    }
    XCTAssertEqual(Set(parameterCounts.keys), Set(model.networks.map(\.name)), "networks of \(type.info.name)", file: file, line: line)

    let before = parameterSnapshot(model)
    let data = try TestData.mnist(imageSize: config.common.imgSize)
    let order = data.order(epoch: 0, seed: 0)
    let iterations = Swift.max(3, model.iterationsPerCycle)
    for i in 0..<iterations {
        let (images, labels) = data.batch(i, order: order, batchSize: batchSize)
        let losses = try model.trainStep(TrainingBatch(images: images, labels: labels), batchesDone: i)
        XCTAssertFalse(losses.isEmpty, file: file, line: line)
        for (name, value) in losses { XCTAssertTrue(value.isFinite, "\(type.info.name) \(name) = \(value) at iteration \(i)", file: file, line: line) }
    }
    assertTrainableParametersChanged(model, since: before, exempt: invariant, file: file, line: line)

    // Checkpoint round trip: a model built with another seed becomes identical.
    let copy = try restoredCopy(of: model, batchesDone: iterations, file: file, line: line) { folder in
        // Every checkpoint has the sampling network as generator.safetensors.
        let fresh = type.init(config: config, seed: 7)
        XCTAssertTrue(try fresh.generator.load(from: folder.appendingPathComponent("generator.safetensors").path).isEmpty,
                      "\(type.info.name): generator.safetensors", file: file, line: line)
    }
    for ((n, a), (_, b)) in zip(model.networks, copy.networks) {
        let sa = a.stateDict(), sb = b.stateDict()
        XCTAssertEqual(sa.names, sb.names, file: file, line: line)
        for name in sa.names { XCTAssertEqual(sa[name]?.scalars, sb[name]?.scalars, "\(n).\(name) after restore", file: file, line: line) }
    }
    for ((n, a), (_, b)) in zip(model.optimizers, copy.optimizers) {
        let sa = a.stateDict(), sb = b.stateDict()
        for name in sa.names { XCTAssertEqual(sa[name]?.scalars, sb[name]?.scalars, "\(n).\(name) after restore", file: file, line: line) }
    }
    XCTAssertEqual(copy.carriedLosses, model.carriedLosses, "losses carried over a resume", file: file, line: line)
    let labels = type.info.conditional ? [0, 1, 2, 3] : nil
    let s1 = try model.sampleForOutput(count: 4, labels: labels, generator: RandomGenerator(seed: 5))
    let s2 = try copy.sampleForOutput(count: 4, labels: labels, generator: RandomGenerator(seed: 5))
    XCTAssertEqual(s1.shape, [4] + config.imageShape, file: file, line: line)
    XCTAssertEqual(s1.scalars, s2.scalars, "samples after restore", file: file, line: line)
    XCTAssertGreaterThanOrEqual(s1.min().item(), -1, file: file, line: line)
    XCTAssertLessThanOrEqual(s1.max().item(), 1, file: file, line: line)
}
