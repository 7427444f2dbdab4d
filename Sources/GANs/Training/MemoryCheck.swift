// A run whose training step does not fit in memory is refused before anything is written:
// two steps of a scratch copy of the model, on 2 and on 4 fixed examples, give the bytes a
// step takes and how they grow per example; at the run's batch size they must fit in the
// memory the system has available.
import Autograd
import Foundation
import NN

enum MemoryCheck {
    /// Throws when a step at `batchSize` examples would need more than the available memory.
    static func check(_ model: any GANModel, data: any BatchSource, seed: UInt64) throws {
        let batch = Swift.min(model.config.common.batchSize, data.count)
        // Small batches are checked by the first step itself (the tool's allocation budget).
        guard batch > 4, let available = MemoryStats.availableBytes() else { return }
        let examples = try data.examples(4)
        guard examples.count == 4 else { return }
        // The scratch model draws only from its own streams, and from the shared default one
        // (put back after), so the run's numbers do not change.
        let shared = DefaultGenerator.shared, offset = shared.offset
        defer { shared.restore(offset: offset) }
        let scratch = type(of: model).init(config: model.config, seed: seed)
        let built = MemoryStats.liveTensorBytes
        func stepBytes(_ n: Int) throws -> Int {
            MemoryStats.resetPeakTensorBytes()
            _ = try scratch.trainStep(examples.slice(0..<n), batchesDone: 0)
            return MemoryStats.peakTensorBytes - built
        }
        let two = try stepBytes(2), four = try stepBytes(4)
        let perExample = Swift.max(0, four - two) / 2
        // The loader holds a few batches ahead of the one in training.
        let exampleBytes = MemoryLayout<Float>.size * (examples.images.count + (examples.imagesB?.count ?? 0)) / examples.count
        let need = two + perExample * (batch - 2) + 6 * batch * exampleBytes
        guard need > available else { return }
        let name = type(of: model).info.name, common = model.config.common
        throw ConfigError(String(format: "%@ at --batch-size %d and --img-size %d needs about %.1f GB for a training step, more than the %.1f GB of memory available; use a smaller --batch-size or --img-size",
                                 name, batch, common.imgSize, Double(need) / 1e9, Double(available) / 1e9))
    }
}
