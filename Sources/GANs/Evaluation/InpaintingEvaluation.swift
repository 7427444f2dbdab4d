// `gan eval` for the inpainting models: the held-out faces with the centred hole the
// pictures use, filled by the model and, for comparison, by the mean training face; L1 and
// PSNR of the hole alone, on [0, 1].
import Autograd
import Evaluation
import Foundation
import Vision

public struct InpaintingReport: Sendable {
    public let images: Int
    public let hole: ImageRegion
    /// Per image: mean absolute error and PSNR (dB) inside the hole, of the model and of the mean face.
    public let l1: [Double], psnr: [Double]
    public let meanFaceL1: [Double], meanFacePSNR: [Double]
    /// Training faces averaged into the mean face.
    public let meanFaceOf: Int

    static func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(max(v.count, 1)) }

    public var table: String {
        """
        \(images) held-out images, hole \(hole.width)x\(hole.height) at (\(hole.x), \(hole.y)); inside the hole, on [0, 1]
                   L1      PSNR (dB)
        model      \(String(format: "%.4f  %.2f", Self.mean(l1), Self.mean(psnr)))
        mean face  \(String(format: "%.4f  %.2f", Self.mean(meanFaceL1), Self.mean(meanFacePSNR)))  (of \(meanFaceOf) training images)
        """
    }

    public var json: String {
        let obj: [String: Any] = ["n": images, "hole": [hole.x, hole.y, hole.width, hole.height], "l1": Self.mean(l1), "psnr": Self.mean(psnr),
                                  "mean_face_l1": Self.mean(meanFaceL1), "mean_face_psnr": Self.mean(meanFacePSNR), "mean_face_of": meanFaceOf]
        let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

public enum InpaintingEvaluation {
    /// Scores `model` (its generator loaded) on the first `limit` held-out images (all when
    /// nil) against the mean of the first `meanOf` training images.
    public static func run(_ model: any InpaintingModel, limit: Int? = nil, meanOf: Int = 2000) throws -> InpaintingReport {
        let type = type(of: model), config = model.config
        let data = try TrainingData(type, config: config)
        let requirement = type.data(for: config), size = config.common.imgSize
        let side = requirement.holeSize, corner = (size - side) / 2
        let hole = ImageRegion(x: corner, y: corner, width: side, height: side)
        let transform = data.transform(random: false)
        guard let root = data.root, let folder = data.format.imageFolder(root) else {
            throw EvaluationError("\(type.info.name) evaluates on a folder of images, not \(data.format.rawValue) data")
        }
        let split = try TrainingData.heldOutSplit(folder, last: requirement.heldOut)
        let held = Array(split.heldOut.prefix(limit ?? split.heldOut.count))

        func load(_ files: ArraySlice<URL>) throws -> Tensor {
            let images = try files.map { transform.apply(try Image(contentsOf: $0), generator: RandomGenerator(seed: 0)) }
            return Tensor(shape: [images.count] + images[0].shape, scalars: images.flatMap(\.values))
        }
        // The mean face, a chunk at a time.
        let meanFiles = split.kept.prefix(meanOf)
        var sum = Tensor.zeros([1] + config.imageShape)
        for start in stride(from: 0, to: meanFiles.count, by: 64) {
            sum = sum + (try load(meanFiles[start..<min(start + 64, meanFiles.count)])).sum(dim: 0, keepDim: true)
        }
        let meanFace = sum / Float(meanFiles.count)

        let normalization = requirement.normalization
        func holeOf(_ images: Tensor) -> Tensor {
            normalization.unitRange(images).slice(dim: 2, start: hole.y, end: hole.y + side).slice(dim: 3, start: hole.x, end: hole.x + side)
        }
        /// Per image: mean absolute error and PSNR of `out` against `truth`.
        func scores(_ out: Tensor, _ truth: Tensor) -> (l1: [Double], psnr: [Double]) {
            let difference = out - truth
            return (difference.abs().mean(dims: [1, 2, 3]).scalars.map(Double.init),
                    (difference * difference).mean(dims: [1, 2, 3]).scalars.map { 10 * log10(1 / Double($0)) })
        }
        var l1: [Double] = [], psnr: [Double] = [], meanL1: [Double] = [], meanPSNR: [Double] = []
        for start in stride(from: 0, to: held.count, by: 16) {
            let images = try load(held[start..<min(start + 16, held.count)])
            let truth = holeOf(images)
            let ours = scores(holeOf(try model.fill(images, region: hole)), truth)
            let baseline = scores(holeOf(Tensor.concat(Array(repeating: meanFace, count: images.shape[0]), dim: 0)), truth)
            (l1, psnr, meanL1, meanPSNR) = (l1 + ours.l1, psnr + ours.psnr, meanL1 + baseline.l1, meanPSNR + baseline.psnr)
        }
        return InpaintingReport(images: held.count, hole: hole, l1: l1, psnr: psnr, meanFaceL1: meanL1, meanFacePSNR: meanPSNR,
                                meanFaceOf: meanFiles.count)
    }
}
