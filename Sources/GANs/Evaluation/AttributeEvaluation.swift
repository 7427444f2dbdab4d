// `gan eval` for the attribute-editing model (stargan): each held-out face is edited once
// per attribute (that hair colour, the rest of the group off; any other attribute flipped),
// the shipped CelebA attribute classifier judges the edit, and L1 to the input says how
// much of the face is kept.
import Autograd
import Evaluation
import Foundation
import Vision

public struct AttributeEditingReport: Sendable {
    public let attributes: [String]
    /// Held-out faces edited (each once per attribute).
    public let faces: Int
    /// Per attribute: the fraction of its edits in which the classifier finds it at its target value.
    public let editAccuracy: [Double]
    /// Per attribute: over all edits, the fraction in which the classifier finds it at the target's value
    /// (the edited attribute or one that should have stayed).
    public let targetAccuracy: [Double]
    /// Per attribute: the classifier's accuracy on the unedited faces against their CelebA labels.
    public let inputAccuracy: [Double]
    /// Per attribute: the mean absolute difference between its edits and their inputs, on [0, 1].
    public let editL1: [Double]

    static func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(max(v.count, 1)) }
    /// The fraction of all edits whose edited attribute the classifier finds at its target.
    public var accuracy: Double { Self.mean(editAccuracy) }
    /// The mean L1 between every edit and its input, on [0, 1].
    public var l1: Double { Self.mean(editL1) }

    public var table: String {
        let width = max(10, attributes.map(\.count).max() ?? 0) + 2
        func row(_ name: String, _ values: [Double]) -> String {
            name.padding(toLength: width, withPad: " ", startingAt: 0)
                + values.map { String(format: "%-10.4f", $0) }.joined(separator: " ")
        }
        let lines = attributes.indices.map { row(attributes[$0], [editAccuracy[$0], targetAccuracy[$0], inputAccuracy[$0], editL1[$0]]) }
        return """
            \(faces) held-out faces, each edited once per attribute (a hair colour set with the others off, any other attribute flipped)
            \("".padding(toLength: width, withPad: " ", startingAt: 0))edited     all edits  inputs     L1 to input
            \(lines.joined(separator: "\n"))
            \(row("mean", [accuracy, Self.mean(targetAccuracy), Self.mean(inputAccuracy), l1]))
            edited: the attribute accuracy of its edits (the classifier finds the target value); all edits: this attribute \
            at the target's value over every edit; inputs: the classifier on the unedited faces; L1 on [0, 1].
            """
    }

    public var json: String {
        func perAttribute(_ v: [Double]) -> [String: Double] { Dictionary(uniqueKeysWithValues: zip(attributes, v)) }
        let obj: [String: Any] = ["n": faces, "attributes": attributes, "accuracy": accuracy, "l1": l1, "l1_range": "[0, 1]",
                                  "edit_accuracy": perAttribute(editAccuracy), "target_accuracy": perAttribute(targetAccuracy),
                                  "input_accuracy": perAttribute(inputAccuracy), "edit_l1": perAttribute(editL1)]
        let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

public enum AttributeEvaluation {
    /// Scores `model` (its generator loaded) on the first `limit` of its held-out faces (all when nil).
    public static func run(_ model: any AttributeEditingModel, classifier: AttributeClassifier, limit: Int? = nil) throws -> AttributeEditingReport {
        let names = model.attributeNames, k = names.count
        let missing = names.filter { !classifier.attributes.contains($0) }
        guard missing.isEmpty else {
            throw EvaluationError("the attribute classifier predicts \(classifier.attributes.joined(separator: ",")), but this \(type(of: model).info.name) run edits \(names.joined(separator: ",")): train one for them with `gan train-classifier --celeba --attributes \(names.joined(separator: ",")) --out FILE` and give it with --classifier FILE")
        }
        let columns = names.map { classifier.attributes.firstIndex(of: $0)! }
        let config = model.config
        let faces = try TrainingData(type(of: model), config: config).heldOutFaces()
        let count = Swift.min(limit ?? faces.count, faces.count)
        let normalization = type(of: model).data(for: config).normalization
        /// The classifier's [-1, 1] from the model's normalisation.
        func symmetric(_ images: Tensor) -> Tensor { normalization.unitRange(images) * 2 - 1 }

        var editHits = [Int](repeating: 0, count: k), targetHits = [Int](repeating: 0, count: k), inputHits = [Int](repeating: 0, count: k)
        var l1Sums = [Double](repeating: 0, count: k)
        let fixed = RandomGenerator(seed: 0)
        for start in stride(from: 0, to: count, by: 8) {
            let examples = try (start..<Swift.min(start + 8, count)).map { try faces.example(at: $0, generator: fixed) }
            let m = examples.count
            let images = Tensor(shape: [m] + examples[0].images[0].shape, scalars: examples.flatMap { $0.images[0].values })
            for (predicted, own) in zip(try classifier.predictions(symmetric(images)), examples.map(\.labels)) {
                for a in 0..<k where predicted[columns[a]] == (own[a] > 0.5) { inputHits[a] += 1 }
            }
            // Face f's edit of attribute i is row f * k + i.
            let targets = examples.flatMap { model.singleEdits(of: $0.labels) }
            let inputs = images.indexSelect(dim: 0, indices: (0..<m).flatMap { Array(repeating: $0, count: k) })
            let edited = try model.edit(inputs, targets: Tensor(shape: [m * k, k], scalars: Array(targets.joined())))
            let l1 = (normalization.unitRange(edited) - normalization.unitRange(inputs)).abs().mean(dims: [1, 2, 3]).scalars
            for (r, predicted) in try classifier.predictions(symmetric(edited)).enumerated() {
                let i = r % k, target = targets[r]
                if predicted[columns[i]] == (target[i] > 0.5) { editHits[i] += 1 }
                for a in 0..<k where predicted[columns[a]] == (target[a] > 0.5) { targetHits[a] += 1 }
                l1Sums[i] += Double(l1[r])
            }
        }
        let n = Double(max(count, 1))
        return AttributeEditingReport(attributes: names, faces: count, editAccuracy: editHits.map { Double($0) / n },
                                      targetAccuracy: targetHits.map { Double($0) / (n * Double(k)) },
                                      inputAccuracy: inputHits.map { Double($0) / n }, editL1: l1Sums.map { $0 / n })
    }
}
