// `gan eval` for image-to-image models trained on pairs: each input of the dataset's
// evaluation split is translated, and the output compared with its target (L1, PSNR, SSIM
// per image and as means); for multimodal models also the diversity of outputs per input.
import Autograd
import Evaluation
import Foundation
import Vision

public struct TranslationReport: Sendable {
    public let split: String
    /// The evaluated files, in order, and their scores.
    public let files: [String]
    public let similarity: ImageSimilarity
    /// Multimodal models: the mean pairwise L1 between outputs for one input (8 codes).
    public var diversity: Double?

    /// One JSON object: the means and every image's scores.
    public var json: String {
        func finite(_ v: Double) -> Any { v.isFinite ? v : NSNull() }
        let images: [[String: Any]] = files.indices.map {
            ["file": files[$0], "l1": finite(similarity.l1[$0]), "psnr": finite(similarity.psnr[$0]), "ssim": finite(similarity.ssim[$0])]
        }
        var obj: [String: Any] = ["split": split, "n": files.count, "l1": finite(similarity.meanL1), "psnr": finite(similarity.meanPSNR),
                                  "ssim": finite(similarity.meanSSIM), "images": images]
        if let diversity { obj["diversity"] = finite(diversity) }
        let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    public var table: String {
        """
        \(files.count) pairs of the \(split) split (images in [0, 1])
        L1    \(String(format: "%.4f", similarity.meanL1))   mean absolute error
        PSNR  \(String(format: "%.2f", similarity.meanPSNR)) dB
        SSIM  \(String(format: "%.4f", similarity.meanSSIM))
        """ + (diversity.map { "\nDiversity  \(String(format: "%.4f", $0))   mean L1 between outputs for one input (8 codes)" } ?? "")
    }
}

public enum TranslationEvaluation {
    /// Scores `model` (its generator loaded) on the pairs of its dataset's evaluation split
    /// (or `split`), the first `limit` of them when given.
    public static func run(_ model: any GANModel, split: String? = nil, limit: Int? = nil) throws -> TranslationReport {
        let data = try TrainingData(type(of: model), config: model.config)
        let (pairs, chosen) = try data.evaluationPairs(split: split)
        let count = Swift.min(limit ?? pairs.count, pairs.count)
        let normalization = type(of: model).data(for: model.config).normalization
        var outputs: [Tensor] = [], targets: [Tensor] = []
        let loader = DataLoader(dataset: pairs, batchSize: 8, shuffle: false)
        let batches = loader.epoch(0)
        defer { batches.close() }
        var done = 0, diversitySum = 0.0
        let codes = RandomGenerator(seed: 0)
        while done < count, let batch = try batches.nextBatch() {
            let take = Swift.min(batch.count, count - done)
            let pairs = TrainingBatch(images: batch.images[0], imagesB: batch.images[1]).slice(0..<take)
            let (inputs, target) = model.inputAndTarget(pairs)
            outputs.append(normalization.unitRange(try model.translateForOutput(inputs)))
            targets.append(normalization.unitRange(target))
            if let multimodal = model as? any MultimodalTranslation {
                diversitySum += Double(try multimodal.diversity(inputs, generator: codes)) * Double(take)
            }
            done += take
        }
        let similarity = try imageSimilarity(Tensor.concat(outputs, dim: 0), Tensor.concat(targets, dim: 0), valueRange: 0...1)
        var report = TranslationReport(split: chosen, files: pairs.files.prefix(count).map(\.lastPathComponent), similarity: similarity)
        if model is any MultimodalTranslation { report.diversity = diversitySum / Double(max(done, 1)) }
        return report
    }
}
