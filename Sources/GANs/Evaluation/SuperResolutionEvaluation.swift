// `gan eval` for the super-resolution models, as the SR literature reports them: each
// benchmark image cropped to a multiple of the factor, shrunk by bicubic resizing, enlarged
// by the model and, for comparison, by bicubic resizing; PSNR and SSIM on the luma (Y of
// ITU-R BT.601 YCbCr) of the 8-bit results, without a border as wide as the factor.
// SSIM is scikit-image's (7x7 uniform window), not the Gaussian-window MATLAB one most
// papers use, so its values are close to but not the same as published tables.
import Autograd
import Evaluation
import Foundation
import Vision

public struct SuperResolutionReport: Sendable {
    public struct Benchmark: Sendable {
        public let name: String
        public let files: [String]
        public let model: ImageSimilarity
        public let bicubic: ImageSimilarity
    }
    public let factor: Int
    public let benchmarks: [Benchmark]

    public var table: String {
        var lines = ["\(factor)x super-resolution, PSNR (dB) / SSIM on Y, \(factor)-pixel border cropped",
                     "benchmark  images  model            bicubic"]
        for b in benchmarks {
            let name = b.name.padding(toLength: max(10, b.name.count), withPad: " ", startingAt: 0)
            lines.append(name + String(format: " %6d  %6.2f / %.4f  %6.2f / %.4f", b.files.count,
                                       b.model.meanPSNR, b.model.meanSSIM, b.bicubic.meanPSNR, b.bicubic.meanSSIM))
        }
        return lines.joined(separator: "\n")
    }

    public var json: String {
        let obj: [String: Any] = ["factor": factor, "benchmarks": benchmarks.map { b -> [String: Any] in
            ["name": b.name, "n": b.files.count, "psnr": b.model.meanPSNR, "ssim": b.model.meanSSIM,
             "bicubic_psnr": b.bicubic.meanPSNR, "bicubic_ssim": b.bicubic.meanSSIM,
             "images": b.files.indices.map { ["file": b.files[$0], "psnr": b.model.psnr[$0], "ssim": b.model.ssim[$0],
                                             "bicubic_psnr": b.bicubic.psnr[$0], "bicubic_ssim": b.bicubic.ssim[$0]] }]
        }]
        let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

public enum SuperResolutionEvaluation {
    /// The standard benchmarks found where datasets live (`Set5`, `Set14`).
    public static func standardBenchmarks() -> [URL] { ["Set5", "Set14"].compactMap { DataLocation.find($0) } }

    /// Scores `model` (its generator loaded) on each folder of `benchmarks`.
    public static func run(_ model: any SuperResolutionModel, benchmarks: [URL]) throws -> SuperResolutionReport {
        guard !benchmarks.isEmpty else {
            throw EvaluationError("no benchmark images: give --benchmark FOLDER (Set5 and Set14 are looked for in data/)")
        }
        let f = model.scaleFactor, normalization = type(of: model).data(for: model.config).normalization
        let convert = ImageTransform([.rgb], mean: normalization.mean, std: normalization.std)
        let results = try benchmarks.map { folder -> SuperResolutionReport.Benchmark in
            let files = try ImageFiles.list(folder)
            var ours: [Tensor] = [], bicubic: [Tensor] = [], truth: [Tensor] = []
            for file in files {
                let full = try Image(contentsOf: file).rgb()
                let high = full.cropped(left: 0, top: 0, width: full.width / f * f, height: full.height / f * f)
                let low = high.resized(width: high.width / f, height: high.height / f, filter: .bicubic)
                let input = convert.apply(low, generator: RandomGenerator(seed: 0))
                let output = normalization.unitRange(try model.upscale(Tensor(shape: [1] + input.shape, scalars: input.values)))
                ours.append(luma(output, border: f))
                bicubic.append(luma(unitTensor(low.resized(width: high.width, height: high.height, filter: .bicubic)), border: f))
                truth.append(luma(unitTensor(high), border: f))
            }
            func scores(_ images: [Tensor]) throws -> ImageSimilarity {
                // One image at a time: the benchmarks' images differ in size.
                let each = try zip(images, truth).map { try imageSimilarity($0, $1, valueRange: 0...1) }
                return ImageSimilarity(l1: each.flatMap(\.l1), psnr: each.flatMap(\.psnr), ssim: each.flatMap(\.ssim))
            }
            return .init(name: folder.lastPathComponent, files: files.map(\.lastPathComponent), model: try scores(ours), bicubic: try scores(bicubic))
        }
        return SuperResolutionReport(factor: f, benchmarks: results)
    }

    /// An 8-bit image as [1, 3, H, W] in [0, 1].
    static func unitTensor(_ image: Image) -> Tensor {
        let floats = ImageTransform().apply(image, generator: RandomGenerator(seed: 0))
        return Tensor(shape: [1] + floats.shape, scalars: floats.values)
    }

    /// Y of BT.601 YCbCr in [0, 1] ([1, 1, H - 2b, W - 2b]) of an RGB image in [0, 1], first
    /// rounded to 8 bits as a saved result would be, without a border of `b` pixels.
    static func luma(_ rgb: Tensor, border b: Int) -> Tensor {
        let (h, w) = (rgb.shape[2], rgb.shape[3])
        let v = rgb.scalars, plane = h * w
        var y = [Float](repeating: 0, count: (h - 2 * b) * (w - 2 * b))
        @inline(__always) func byte(_ x: Float) -> Double { (Double(min(max(x, 0), 1)) * 255).rounded() }
        var k = 0
        for row in b..<(h - b) {
            for col in b..<(w - b) {
                let i = row * w + col
                let r = byte(v[i]), g = byte(v[plane + i]), bl = byte(v[2 * plane + i])
                y[k] = Float((16 + (65.481 * r + 128.553 * g + 24.966 * bl) / 255) / 255)
                k += 1
            }
        }
        return Tensor(shape: [1, 1, h - 2 * b, w - 2 * b], scalars: y)
    }
}
