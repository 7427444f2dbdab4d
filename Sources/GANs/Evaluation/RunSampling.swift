// Drawing samples from a trained run for scoring: the latest checkpoint's generator,
// conditional models asked for the digits 0-9 in turn.
import Autograd
import Evaluation
import Foundation
import NN

public enum RunSampling {
    /// The model of the checkpoint at `path` (a run folder, its checkpoints/latest, or a
    /// checkpoint folder) with its generator's weights loaded.
    public static func loadGenerator(_ path: String) throws -> any GANModel {
        let folder = try Checkpoint.resolve(path)
        let manifest = try Checkpoint.readManifest(folder)
        let type = try Zoo.model(named: manifest.model)
        let instance = type.init(config: manifest.config, seed: 0)
        try instance.generator.load(from: folder.appendingPathComponent("generator.safetensors").path)
        return instance
    }

    /// The labels a conditional model is asked for: 0, 1, ..., 9, 0, 1, ... (nil otherwise).
    public static func cyclingLabels(for model: any GANModel, count: Int) -> [Int]? {
        guard type(of: model).info.conditional else { return nil }
        let classes = model.config.extra["n-classes"].map { Int($0) } ?? 10
        return (0..<count).map { $0 % classes }
    }

    /// `count` gray samples at 28x28 in [-1, 1] and, for conditional models, their labels.
    public static func draw(from model: any GANModel, count: Int, seed: UInt64 = 0) throws -> (images: Tensor, labels: [Int]?) {
        guard model.config.imageShape.first == 1 else {
            throw EvaluationError("\(type(of: model).info.name) makes \(model.config.imageShape[0])-channel images; the MNIST metrics need gray ones")
        }
        let labels = cyclingLabels(for: model, count: count)
        var parts = [Tensor]()
        let rng = RandomGenerator(seed: seed)
        var start = 0
        // In chunks, so 10,000 samples do not hold every activation at once.
        while start < count {
            let end = Swift.min(start + 500, count)
            parts.append(try model.sampleForOutput(count: end - start, labels: labels.map { Array($0[start..<end]) }, generator: rng))
            start = end
        }
        return (resizedTo28(Tensor.concat(parts, dim: 0)), labels)
    }
}
