// The judge of stargan's edits: a small CNN that reads a face at 64x64 and gives one logit
// per CelebA attribute (present or not), trained on the faces stargan does not train on.
// Four stride-2 convs (32, 64, 128, 128 channels; batch norm after the last three; ReLU),
// one linear layer over the 4x4 map: 438,757 parameters for the five default attributes (1.8 MB).
import Autograd
import Foundation
import NN

public final class AttributeClassifier: Module {
    /// The side it reads faces at; larger or smaller ones are average-pooled or repeated to it.
    public static let inputSize = 64
    /// The attributes, in the order of the logits.
    public let attributes: [String]

    let conv1: Conv2d
    let conv2: Conv2d
    let conv3: Conv2d
    let conv4: Conv2d
    let norm2: BatchNorm2d
    let norm3: BatchNorm2d
    let norm4: BatchNorm2d
    let fc: Linear

    /// All random initialisation draws from `generator`, so training is reproducible.
    public init(attributes: [String], generator: RandomGenerator = RandomGenerator(seed: 0)) {
        self.attributes = attributes
        // 64 -> 32 -> 16 -> 8 -> 4.
        conv1 = Conv2d(3, 32, kernelSize: 4, stride: 2, padding: 1, generator: generator)
        conv2 = Conv2d(32, 64, kernelSize: 4, stride: 2, padding: 1, generator: generator)
        conv3 = Conv2d(64, 128, kernelSize: 4, stride: 2, padding: 1, generator: generator)
        conv4 = Conv2d(128, 128, kernelSize: 4, stride: 2, padding: 1, generator: generator)
        norm2 = BatchNorm2d(64)
        norm3 = BatchNorm2d(128)
        norm4 = BatchNorm2d(128)
        fc = Linear(128 * 4 * 4, attributes.count, generator: generator)
        super.init()
    }

    /// RGB faces [N, 3, S, S] in [-1, 1] brought to 64x64: S a power-of-two multiple or
    /// fraction of 64 (stargan's sizes), else one clear error.
    public static func fitted(_ faces: Tensor) throws -> Tensor {
        let s = faces.rank == 4 ? faces.shape[3] : 0
        guard faces.rank == 4, faces.shape[1] == 3, faces.shape[2] == s, s > 0 else {
            throw EvaluationError("the attribute classifier reads square RGB faces [N, 3, S, S], got \(faces.shape)")
        }
        if s == inputSize { return faces }
        if s > inputSize, s % inputSize == 0 { return avgPool2d(faces, kernelSize: Pair(s / inputSize)) }
        if s < inputSize, inputSize % s == 0 { return upsample(faces, scaleFactor: inputSize / s) }
        throw EvaluationError("the attribute classifier reads faces whose side divides or is a multiple of \(inputSize) px, got \(s) px")
    }

    /// [N, 3, 64, 64] faces in [-1, 1] -> [N, k] logits.
    override public func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && Array(x.shape.dropFirst()) == [3, Self.inputSize, Self.inputSize],
                     "AttributeClassifier: expected [N, 3, 64, 64] faces, got \(x.shape)")
        var h = conv1(x).relu()
        h = norm2(conv2(h)).relu()
        h = norm3(conv3(h)).relu()
        h = norm4(conv4(h)).relu()
        return fc(h.flatten())
    }

    /// Whether each attribute is present, [N][k], for faces of any size `fitted` accepts; in
    /// batches, without a graph, in eval mode (batch norm by its running statistics).
    public func predictions(_ faces: Tensor, batchSize: Int = 200) throws -> [[Bool]] {
        let input = try Self.fitted(faces), n = input.shape[0], k = attributes.count
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        var out = [[Bool]]()
        out.reserveCapacity(n)
        withoutGrad {
            for start in stride(from: 0, to: n, by: batchSize) {
                let logits = self(input.slice(dim: 0, start: start, end: Swift.min(start + batchSize, n))).scalars
                for r in 0..<(logits.count / max(k, 1)) { out.append((0..<k).map { logits[r * k + $0] > 0 }) }
            }
        }
        return out
    }

    /// Per attribute, the fraction of `faces` whose prediction equals `labels` (0/1, [N][k]).
    public func accuracy(_ faces: Tensor, labels: [[Float]]) throws -> [Double] {
        let predicted = try predictions(faces)
        return attributes.indices.map { a in
            Double(zip(predicted, labels).filter { $0.0[a] == ($0.1[a] > 0.5) }.count) / Double(max(labels.count, 1))
        }
    }

    /// Writes the weights with the attribute names (comma-separated, metadata `attributes`) and `metadata`.
    public func save(to url: URL, metadata: [String: String]) throws {
        try save(to: url.path, metadata: metadata.merging(["attributes": attributes.joined(separator: ",")]) { $1 })
    }

    /// A classifier saved by `save(to:metadata:)`.
    public static func load(from url: URL) throws -> AttributeClassifier {
        let dict: StateDict
        do { dict = try SafeTensors.read(url.path) } catch {
            throw EvaluationError("cannot read the attribute classifier \(url.path): \(error)")
        }
        guard let names = dict.metadata["attributes"]?.split(separator: ",").map(String.init), !names.isEmpty else {
            throw EvaluationError("\(url.path) is no attribute classifier (its metadata names no attributes)")
        }
        let model = AttributeClassifier(attributes: names)
        do { _ = try model.loadStateDict(dict) } catch {
            throw EvaluationError("\(url.path) does not hold an attribute classifier's weights: \(error)")
        }
        model.eval()
        return model
    }

    /// The shipped classifier (Data/classifier/celeba_attributes.safetensors).
    public static func shipped() throws -> AttributeClassifier {
        try load(from: try ClassifierLocation.builtInWeights(ClassifierLocation.attributeClassifierPath))
    }
}
