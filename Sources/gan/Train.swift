import ArgumentParser
import Foundation
import Evaluation
import GANs

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model with its paper's reference defaults.",
        discussion: """
            Writes into --out: config.json, images/<batches_done>.png (a sample grid every \
            --sample-interval batches), metrics.jsonl, loss_curve.svg and checkpoints/ \
            (checkpoints/latest/generator.safetensors has PyTorch's parameter names). \
            Ctrl-C finishes the current iteration, writes a checkpoint and exits with status 130; \
            --resume continues from the latest checkpoint.
            """)

    @Argument(help: "The model to train (see `gan list`).") var model: String
    @OptionGroup var options: ModelOptions
    @Option(help: "Stop after N batches in total, counting those before a resume.") var iterations: Int?
    @Option(help: "Random seed; the same seed gives the same run.") var seed: UInt64 = 0
    @Option(help: "Output folder (default runs/MODEL).") var out: String?
    @Option(help: "Batches between checkpoints (0: only at the end).") var checkpointInterval = 1000
    @Flag(help: "Continue from the latest checkpoint in --out.") var resume = false
    @Option(help: "Threads for the kernels (default: all cores).") var threads: Int?
    @Option(help: "Batches between plain progress lines when the output is not a terminal.") var logInterval = 100
    @Option(help: "Score 1,000 samples every N batches and log the numbers.") var evalInterval: Int?
    @Option(help: .hidden) var dataLimit: Int?
    @Flag(help: "Print only errors.") var quiet = false

    func run() throws {
        let type = try failing { try Zoo.model(named: model) }
        let outURL = URL(fileURLWithPath: out ?? "runs/\(type.info.name)")
        for (name, v) in [("--iterations", iterations), ("--threads", threads), ("--data-limit", dataLimit)] {
            if let v, v <= 0 { throw ToolError("\(name) must be positive, got \(v)") }
        }
        guard checkpointInterval >= 0 else { throw ToolError("--checkpoint-interval must not be negative") }
        guard logInterval > 0 else { throw ToolError("--log-interval must be positive") }
        if let e = evalInterval, e <= 0 { throw ToolError("--eval-interval must be positive, got \(e)") }
        var config = try options.resolve(type)
        if resume {
            let checkpoints = outURL.appendingPathComponent("checkpoints")
            guard let folder = try? Checkpoint.resolve(checkpoints.path) else {
                throw ToolError("--resume: no checkpoint found in \(checkpoints.path)")
            }
            let manifest = try failing { try Checkpoint.readManifest(folder) }
            // Repeating the original options is fine; changing them is not (except the length
            // of training and the picture interval).
            var resumed = manifest.config
            if let n = options.nEpochs { resumed.common.nEpochs = n }
            if let s = options.sampleInterval { resumed.common.sampleInterval = s }
            for (name, value) in options.commonOverrides where !["n-epochs", "sample-interval"].contains(name) {
                if Float(value) != Float(resumed.common.value(named: name)) {
                    throw ToolError("--\(name) differs from the checkpoint's (\(resumed.common.value(named: name))); a resumed run keeps the options it started with")
                }
            }
            for (name, value) in options.extraOverrides where resumed.extra[name].map({ Float($0) }) != Float(value) {
                throw ToolError("--\(name) differs from the checkpoint's; a resumed run keeps the options it started with")
            }
            // The data is read as the run started reading it; only its folder may have moved.
            let data = try options.dataOptions()
            if let d = data.directory { resumed.data.directory = d }
            let given: [(String, Bool)] = [("--dataset", data.dataset.map { $0 != (resumed.data.dataset ?? type.info.data.defaultDataset) } ?? false),
                                           ("--fit", data.fit.map { $0 != resumed.data.fit } ?? false),
                                           ("--load-size", data.loadSize.map { $0 != resumed.data.loadSize } ?? false),
                                           ("--flip", data.flip.map { $0 != resumed.data.flip } ?? false)]
            if let (name, _) = given.first(where: { $0.1 }) {
                throw ToolError("\(name) differs from the checkpoint's; a resumed run keeps the options it started with")
            }
            // A file the run reads (VGG19 weights) may have moved.
            resumed.files.merge(options.files) { $1 }
            config = resumed
        }
        if let threads { GANRuntime.setThreads(threads) }
        var run = RunOptions(out: outURL)
        run.seed = seed
        run.iterations = iterations
        run.checkpointInterval = checkpointInterval
        run.resume = resume
        run.logInterval = logInterval
        run.dataLimit = dataLimit
        run.evalInterval = evalInterval
        run.quiet = quiet
        let trainer = Trainer(model: type.init(config: config, seed: seed), options: run)
        if evalInterval != nil {
            guard config.common.channels == 1 else {
                throw ToolError("--eval-interval scores MNIST digits; \(type.info.name) is configured for \(config.common.channels)-channel images")
            }
            let scorer = try failing { try SampleEvaluator.shipped(announce: { if !quiet { note($0) } }) }
            trainer.evaluator = SampleQualityEvaluator(scorer: scorer)
        }
        let outcome = try failing { try trainer.run() }
        switch outcome {
        case .finished: return
        case .interrupted: throw ExitCode(130)
        case .diverged: throw ExitCode(3)
        }
    }
}
