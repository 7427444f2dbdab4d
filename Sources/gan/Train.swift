import ArgumentParser
import Autograd
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
            Ctrl-C (also SIGTERM, SIGHUP) finishes the current iteration, writes a checkpoint and \
            exits with status 128 + the signal (130 for Ctrl-C); --resume continues from the newest \
            complete checkpoint with the run's own settings (config.json), of which only \
            --iterations, --n-epochs, the intervals, --threads, --quiet and --data-dir may change.
            """)

    @Argument(help: "The model to train (see `gan list`).") var model: String
    @OptionGroup var options: ModelOptions
    @Option(help: "Stop after N batches in total, counting those before a resume.") var iterations: Int?
    @Option(help: "Random seed; the same seed gives the same run (default 0).") var seed: UInt64?
    @Option(help: "Output folder (default runs/MODEL); a new run never overwrites an earlier one.") var out: String?
    @Option(help: "Batches between checkpoints (0: only at the end; default 1000).") var checkpointInterval: Int?
    @Flag(help: "Continue the run in --out from its newest complete checkpoint, with the settings it started with.") var resume = false
    @Option(help: "Threads for the kernels (default: all cores).") var threads: Int?
    @Option(help: "Matrix products and convolutions in fp32, or bf16 (bfloat16 products, float32 sums and weights; CPUs with AVX512_BF16). Default fp32; kept on --resume.")
    var precision: Precision?
    @Option(help: "Batches between plain progress lines when the output is not a terminal (default 100).") var logInterval: Int?
    @Option(help: "Score 1,000 samples every N batches and log the numbers.") var evalInterval: Int?
    @Option(help: .hidden) var dataLimit: Int?
    @Flag(help: "Print only errors.") var quiet = false
    @Flag(help: "Data-parallel over the ranks of `mpirun -np K` (a gan built with the MPI trait): each rank trains on its share of every --batch-size batch; see docs/DISTRIBUTED.md.")
    var distributed = false
    @Flag(help: "With --distributed: batch norm over the whole batch of all ranks instead of each rank's share.") var syncBn = false

    func run() throws {
        guard distributed else {
            if syncBn { throw ToolError("--sync-bn needs --distributed") }
            return try train(parallel: nil)
        }
        try Distributed.run(syncBatchNorm: syncBn, threads: threads) { try train(parallel: $0) }
    }

    func train(parallel: DataParallel?) throws {
        let type = try failing { try Zoo.model(named: model) }
        let outURL = URL(fileURLWithPath: out ?? "runs/\(type.info.name)")
        for (name, v) in [("--iterations", iterations), ("--threads", threads), ("--data-limit", dataLimit), ("--log-interval", logInterval),
                          ("--eval-interval", evalInterval)] {
            if let v, v <= 0 { throw ToolError("\(name) must be positive, got \(v)") }
        }
        if let c = checkpointInterval, c < 0 { throw ToolError("--checkpoint-interval must not be negative, got \(c)") }
        var run = RunOptions(out: outURL)
        run.seed = seed ?? 0
        run.iterations = iterations
        run.checkpointInterval = checkpointInterval ?? run.checkpointInterval
        run.resume = resume
        run.logInterval = logInterval ?? run.logInterval
        run.dataLimit = dataLimit
        run.evalInterval = evalInterval
        run.quiet = quiet
        run.precision = try checked(precision ?? .fp32)
        var config = try options.resolve(type)
        if resume {
            if parallel?.isRoot ?? true { try failing { try RunFolder.checkNotBusy(outURL) } }
            let resumed = try ResumedRun(outURL, type)
            config = try resumed.config(checking: options, type)
            run = try resumed.options(self, out: outURL)
            if let message = resumed.note, !quiet { note(message) }
        }
        run.parallel = parallel
        if let threads { GANRuntime.setThreads(threads) }
        GANRuntime.exitWhenOutOfMemory("\(type.info.name) with these sizes does not fit in memory; use a smaller --img-size, --latent-dim or --batch-size")
        let trainer = Trainer(model: type.init(config: config, seed: run.seed), options: run)
        if run.evalInterval != nil {
            guard config.common.channels == 1 else {
                throw ToolError("--eval-interval scores MNIST digits; \(type.info.name) is configured for \(config.common.channels)-channel images")
            }
            let scorer = try failing { try SampleEvaluator.shipped(announce: { if !quiet { note($0) } }) }
            trainer.evaluator = SampleQualityEvaluator(scorer: scorer)
        }
        let outcome = try failing { try trainer.run() }
        switch outcome {
        case .finished: return
        case .interrupted(_, let signal): throw ExitCode(128 + signal)
        case .diverged: throw ExitCode(3)
        }
    }
}
