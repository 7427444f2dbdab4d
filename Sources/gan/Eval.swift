import ArgumentParser
import Autograd
import Evaluation
import Foundation
import GANs

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score samples against MNIST (Fréchet distance, classifier score, coverage, precision/recall), an image-to-image run against its test pairs (L1, PSNR, SSIM), a super-resolution run on Set5/Set14 (PSNR, SSIM on Y, next to bicubic), an inpainting run on its held-out faces (L1, PSNR in the hole, next to the mean face), an attribute-editing run (stargan: the attribute accuracy of its edits of held-out faces by the shipped CelebA classifier, L1 to the input), or a two-domain run (pixelda: task accuracy on MNIST-M's test split; cogan: each domain's samples and the pairs' agreement).",
        discussion: """
            PATH is a run folder or checkpoint (N samples are drawn from its latest checkpoint; \
            conditional models are asked for the digits 0-9 in turn and also get label accuracy), \
            a .npy file (N x 1 x H x W in [-1, 1]), a folder of PNGs, or a grid PNG as \
            `gan sample --out FILE.png` writes it. Samples that are not 28x28 are resized. \
            Features come from the shipped MNIST classifier; those of the 10,000 test images \
            are computed on first use and cached (see docs/EVALUATION.md).
            """)

    @Argument(help: "A run folder or checkpoint, a .npy file, a folder of PNGs, or a grid PNG.") var path: String
    @Option(name: .customLong("n"), help: "Samples to draw from a run (default 1000); for files, score only the first N.") var count: Int?
    @Option(help: "The class each sample was generated for: a comma-separated list or a file of them.") var labels: String?
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Option(help: "Images per row of a grid PNG (default: guessed from 28- or 32-pixel cells).") var gridNrow: Int?
    @Option(help: "Padding around the images of a grid PNG.") var gridPadding = 2
    @Option(help: "Seed for the samples drawn from a run.") var seed: UInt64 = 0

    @Option(help: "Image-to-image runs: the split of the paired dataset to score (default val/, else test/).") var split: String?
    @Option(help: "Super-resolution runs: a folder of benchmark images (repeatable; default Set5 and Set14 from data/).")
    var benchmark: [String] = []
    @Option(help: "Attribute-editing runs: the attribute classifier's weights (default: the shipped one; `gan train-classifier --celeba` makes others).")
    var classifier: String?

    func run() throws {
        if let count, count <= 0 { throw ToolError("--n must be positive, got \(count)") }
        if classifier != nil, !isAttributeEditingRun() {
            throw ToolError("--classifier applies to runs of an attribute-editing model (stargan); \(path) is not one")
        }
        if let report = try failing({ try domainReport() }) {
            print(report)
            return
        }
        if let model = try failing({ try translationRun() }) {
            if let editing = model as? any AttributeEditingModel {
                let judge = try failing {
                    try classifier.map { try AttributeClassifier.load(from: URL(fileURLWithPath: $0)) } ?? AttributeClassifier.shipped()
                }
                let report = try failing { try AttributeEvaluation.run(editing, classifier: judge, limit: count) }
                print(json ? report.json : report.table)
                return
            }
            if let enlarging = model as? any SuperResolutionModel {
                let folders = benchmark.isEmpty ? SuperResolutionEvaluation.standardBenchmarks() : benchmark.map { URL(fileURLWithPath: $0) }
                let report = try failing { try SuperResolutionEvaluation.run(enlarging, benchmarks: folders) }
                print(json ? report.json : report.table)
                return
            }
            if let filling = model as? any InpaintingModel {
                let report = try failing { try InpaintingEvaluation.run(filling, limit: count) }
                print(json ? report.json : report.table)
                return
            }
            let report = try failing { try TranslationEvaluation.run(model, split: split, limit: count) }
            print(json ? report.json : report.table)
            return
        }
        var (images, labelList) = try failing { try loadSamples() }
        if let labels { labelList = try Sample.parseLabels(labels) }
        if let count, count < images.shape[0] {
            // --n keeps the first N samples of a file, and the first N of labels given for all of them.
            if let given = labelList, given.count == images.shape[0] { labelList = Array(given.prefix(count)) }
            images = images.slice(dim: 0, start: 0, end: count)
        }
        let scorer = try failing { try SampleEvaluator.shipped(announce: { note($0) }) }
        let report = try failing { try scorer.evaluate(images, labels: labelList) }
        print(json ? report.json : report.table)
    }

    /// The report of a two-domain run: pixelda's task classifier on the MNIST-M and MNIST test
    /// splits (--n: their first N images), cogan's pairs scored per domain (the MNIST-M side in
    /// grayscale) and their digit agreement. Nil when PATH is no such run.
    func domainReport() throws -> String? {
        guard let folder = try? Checkpoint.resolve(path) else { return nil }
        switch try Checkpoint.readManifest(folder).model {
        case PixelDA.info.name:
            let report = try DomainEvaluation.taskAccuracy(try DomainEvaluation.loadPixelDA(path), limit: count)
            return json ? report.json : report.table
        case CoGAN.info.name:
            guard let model = try RunSampling.loadGenerator(path) as? CoGAN else { return nil }
            let scorer = try SampleEvaluator.shipped(announce: { note($0) })
            let report = try DomainEvaluation.coupledSamples(model, scorer: scorer, count: count ?? 1000, seed: seed)
            return json ? report.json : report.table
        default:
            return nil
        }
    }

    /// Whether PATH is a run of an attribute-editing model (stargan).
    func isAttributeEditingRun() -> Bool {
        guard let folder = try? Checkpoint.resolve(path), let manifest = try? Checkpoint.readManifest(folder),
              let type = try? Zoo.model(named: manifest.model) else { return false }
        return type is any AttributeEditingModel.Type
    }

    /// The model of PATH when it is a run of an image-to-image model (scored against its
    /// dataset's pairs: L1, PSNR, SSIM), else nil.
    func translationRun() throws -> (any GANModel)? {
        guard let folder = try? Checkpoint.resolve(path) else { return nil }
        let manifest = try Checkpoint.readManifest(folder)
        guard try Zoo.model(named: manifest.model).info.output == .translation else { return nil }
        return try RunSampling.loadGenerator(path)
    }

    /// The samples PATH names, and the labels they were drawn for when they come from a run.
    func loadSamples() throws -> (Tensor, [Int]?) {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw EvaluationError("\(path) does not exist")
        }
        if isDirectory.boolValue {
            let isRun = (try? Checkpoint.resolve(path)) != nil || ["checkpoints", "config.json"].contains {
                FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path)
            }
            guard isRun else { return (try SampleFiles.readPNGFolder(url), nil) }
            let model = try RunSampling.loadGenerator(path)
            return try RunSampling.draw(from: model, count: count ?? 1000, seed: seed)
        }
        switch url.pathExtension.lowercased() {
        case "npy": return (try SampleFiles.readNPY(url), nil)
        case "png": return (try SampleFiles.readGrid(url, nrow: gridNrow, padding: gridPadding), nil)
        default: throw EvaluationError("\(path) is not a run folder, a .npy file, a folder of PNGs or a .png grid")
        }
    }
}

/// A note on stderr, so --json output stays one object on stdout.
func note(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
