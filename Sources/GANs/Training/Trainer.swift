// The training loop shared by every model: data order, logging, pictures, checkpoints,
// resume, interruption and divergence.
import Autograd
import Foundation
import NN
import Vision

/// Options of a run that are not the model's.
public struct RunOptions: Sendable {
    public var out: URL
    public var seed: UInt64 = 0
    /// Stop after this many batches in total (counting those before a resume).
    public var iterations: Int?
    /// Write a checkpoint every this many batches (0: only at the end and on interrupt).
    public var checkpointInterval = 1000
    public var resume = false
    /// Plain progress lines every this many batches when not on a terminal.
    public var logInterval = 100
    /// Use only the first N MNIST training images (tests and quick trials).
    public var dataLimit: Int?
    /// Score samples every this many batches (nil: never).
    public var evalInterval: Int?
    /// Print nothing but errors.
    public var quiet = false

    public init(out: URL) { self.out = out }
}

/// The data failed mid-run: a checkpoint of the position it failed at was written first.
public struct TrainingDataError: Error, CustomStringConvertible {
    public let message: String
    public let batchesDone: Int
    public let resume: String
    public var description: String {
        batchesDone > 0 ? "\(message) (training stopped after iteration \(batchesDone) with a checkpoint; fix or remove the file, then resume with: \(resume))"
            : "\(message) (training stopped before its first iteration)"
    }
}

public enum TrainingOutcome: Equatable {
    case finished(batchesDone: Int)
    case interrupted(batchesDone: Int, signal: Int32)
    case diverged(loss: String, batchesDone: Int)
}

/// Something that scores samples during training (`--eval-interval`).
public protocol TrainingEvaluator {
    /// Numbers to log for the model in its current state.
    func evaluate(_ model: any GANModel) throws -> [(String, Double)]
}

public final class Trainer {
    public let model: any GANModel
    public let options: RunOptions
    public var evaluator: TrainingEvaluator?
    let interrupts: InterruptMonitor

    public init(model: any GANModel, options: RunOptions, interrupts: InterruptMonitor = InterruptMonitor()) {
        self.model = model
        self.options = options
        self.interrupts = interrupts
    }

    var checkpointsDirectory: URL { options.out.appendingPathComponent("checkpoints") }

    public func run() throws -> TrainingOutcome {
        let fm = FileManager.default
        let info = type(of: model).info
        let common = model.config.common
        try checkBatchSize(model)
        try model.prepareToTrain()
        // Find the data before touching the output folder, so a bad --data-dir changes nothing.
        let data = try TrainingData(type(of: model), config: model.config)
            .batches(batchSize: common.batchSize, seed: options.seed, limit: options.dataLimit)
        let examples = model.progressExamples > 0 ? try data.examples(model.progressExamples) : nil

        // Where to start: the beginning, or the latest checkpoint.
        var epoch = 0, batch = 0, batchesDone = 0
        if options.resume {
            let checkpoint = try Checkpoint.resolve(checkpointsDirectory.path)
            let manifest = try Checkpoint.readManifest(checkpoint)
            try Checkpoint.restore(model, from: checkpoint, manifest: manifest)
            (epoch, batch, batchesDone) = (manifest.epoch, manifest.batch, manifest.batchesDone)
        }

        try fm.createDirectory(at: options.out.appendingPathComponent("images"), withIntermediateDirectories: true)
        let perEpoch = data.batchesPerEpoch
        let total = options.iterations ?? common.nEpochs * perEpoch
        try writeConfig(total: total)
        let metrics = try MetricsLog(url: options.out.appendingPathComponent("metrics.jsonl"),
                                     resumeAfter: options.resume ? batchesDone : nil)
        let progress = ProgressReporter(totalBatches: total, batchesPerEpoch: perEpoch, nEpochs: common.nEpochs,
                                        logInterval: options.logInterval, startBatch: batchesDone)
        func say(_ text: String) { if !options.quiet { progress.message(text) } }
        if options.resume { say("Resuming \(info.name) from batch \(batchesDone) (epoch \(epoch), batch \(batch)).") }
        say("Training \(info.name) (\(info.citation)) on \(data.summary), \(total) iterations; writing to \(options.out.path)")

        interrupts.start()
        defer { interrupts.stop() }
        let start = Date()
        var lastLosses: Losses = []
        // Time spent waiting for the data pipeline, reported at the end: what the prefetching
        // loader did not hide behind training.
        var dataWait: Double = 0
        model.epochStarted(epoch)
        while batchesDone < total {
            if batch >= perEpoch {
                epoch += 1
                batch = 0
                model.epochStarted(epoch)
            }
            let asked = Date()
            let next: TrainingBatch
            do {
                next = try data.batch(batch, epoch: epoch)
            } catch {
                // A bad file stops the run where it stands; what was trained so far is kept.
                if !options.quiet { progress.finishLine() }
                if batchesDone > 0 { try saveCheckpoint(batchesDone: batchesDone, epoch: epoch, batch: batch) }
                throw TrainingDataError(message: "\(error)", batchesDone: batchesDone, resume: "gan train \(info.name) --out \(options.out.path) --resume")
            }
            dataWait += Date().timeIntervalSince(asked)
            let losses = try model.trainStep(next, batchesDone: batchesDone)
            if let bad = losses.first(where: { !$0.value.isFinite }) {
                if !options.quiet { progress.finishLine() }
                let last = (try? Checkpoint.resolve(checkpointsDirectory.path))?.path ?? "none was written yet"
                FileHandle.standardError.write(Data("""
                    error: the loss \(bad.name) became \(bad.value) at iteration \(batchesDone + 1) (epoch \(epoch), batch \(batch)); \
                    training stopped. The last good checkpoint: \(last)\n
                    """.utf8))
                return .diverged(loss: bad.name, batchesDone: batchesDone)
            }
            let current = (epoch, batch)
            batchesDone += 1
            batch += 1
            lastLosses = losses
            var extra: [(String, Double)] = []
            if let every = options.evalInterval, every > 0, batchesDone % every == 0, let evaluator {
                extra = try evaluator.evaluate(model)
            }
            metrics.log(epoch: current.0, batch: current.1, batchesDone: batchesDone, losses: losses,
                        seconds: Date().timeIntervalSince(start), extra: extra)
            if !options.quiet { progress.update(epoch: current.0, batch: current.1, batchesDone: batchesDone, losses: losses) }
            if !extra.isEmpty, !options.quiet {
                say("eval at \(batchesDone): " + extra.map { "\($0.0) \(String(format: "%.4g", $0.1))" }.joined(separator: "  "))
            }
            if common.sampleInterval > 0, batchesDone % common.sampleInterval == 0 {
                try saveProgress(batchesDone: batchesDone, metrics: metrics, examples: examples)
            }
            let position = (epoch: epoch, batch: batch)
            if options.checkpointInterval > 0, batchesDone % options.checkpointInterval == 0, batchesDone < total {
                try saveCheckpoint(batchesDone: batchesDone, epoch: position.epoch, batch: position.batch)
            }
            if let sig = interrupts.signalReceived {
                if !options.quiet { progress.finishLine() }
                try saveCheckpoint(batchesDone: batchesDone, epoch: position.epoch, batch: position.batch)
                try LossCurve.write(series: metrics.series, title: "\(info.name) losses", to: options.out.appendingPathComponent("loss_curve.svg"))
                FileHandle.standardError.write(Data("""
                    Interrupted after iteration \(batchesDone) of \(total); checkpoint written to \(checkpointsDirectory.path)/latest.
                    Resume with: gan train \(info.name) --out \(options.out.path) --resume\n
                    """.utf8))
                return .interrupted(batchesDone: batchesDone, signal: sig)
            }
        }
        if !options.quiet { progress.finishLine() }
        try saveCheckpoint(batchesDone: batchesDone, epoch: epoch, batch: batch)
        try saveProgress(batchesDone: batchesDone, metrics: metrics, examples: examples)
        let seconds = Date().timeIntervalSince(start)
        say(String(format: "Waited %.1f s for data (%.1f%% of the run).", dataWait, 100 * dataWait / Swift.max(seconds, 1e-9)))
        say("Done: \(batchesDone) iterations in \(ProgressReporter.duration(seconds)), peak memory \(MemoryUsage.peakResidentBytes() / 1_048_576) MB (\(lastLosses.map { "\($0.name) \(String(format: "%.4f", $0.value))" }.joined(separator: ", "))).")
        say("Samples: \(options.out.appendingPathComponent("images").path)  generator: \(checkpointsDirectory.path)/latest/generator.safetensors")
        return .finished(batchesDone: batchesDone)
    }

    func saveProgress(batchesDone: Int, metrics: MetricsLog, examples: TrainingBatch?) throws {
        let grid = withoutGrad { model.progressGrid(examples: examples) }
        try saveImageGrid(grid.images, to: options.out.appendingPathComponent("images/\(batchesDone).png"),
                          nrow: grid.rows, normalize: true)
        try LossCurve.write(series: metrics.series, title: "\(type(of: model).info.name) losses",
                            to: options.out.appendingPathComponent("loss_curve.svg"))
    }

    func saveCheckpoint(batchesDone: Int, epoch: Int, batch: Int) throws {
        var streams: [String: UInt64] = [:]
        for (n, g) in model.randomStreams { streams[n] = g.offset }
        let manifest = CheckpointManifest(
            model: type(of: model).info.name, batchesDone: batchesDone, epoch: epoch, batch: batch, seed: options.seed,
            randomStreams: streams, config: model.config, networks: model.networks.map(\.name),
            optimizers: model.optimizers.map(\.name), swiftganVersion: SwiftGAN.version)
        try Checkpoint.save(model, manifest: manifest, in: checkpointsDirectory)
    }

    func writeConfig(total: Int) throws {
        var obj: [String: Any] = [
            "model": type(of: model).info.name,
            "seed": options.seed,
            "iterations": total,
            "checkpoint_interval": options.checkpointInterval,
            "log_interval": options.logInterval,
            "dataset": model.config.data.dataset ?? type(of: model).info.data.defaultDataset,
            "data_dir": model.config.data.directory ?? "default",
            "swiftgan_version": SwiftGAN.version,
            "threads": GANRuntime.threads,
        ]
        if let limit = options.dataLimit { obj["data_limit"] = limit }
        if let e = options.evalInterval { obj["eval_interval"] = e }
        if let commit = SwiftGAN.gitCommit { obj["git_commit"] = commit }
        let common = try JSONSerialization.jsonObject(with: JSONEncoder().encode(model.config.common)) as? [String: Any] ?? [:]
        for (k, v) in common { obj[k] = v }
        for (k, v) in model.config.extra { obj[k.replacingOccurrences(of: "-", with: "_")] = v }
        let fitting = TrainingData.transformSettings(type(of: model).data(for: model.config), config: model.config)
        obj["fit"] = fitting.fit.rawValue
        obj["load_size"] = fitting.loadSize ?? model.config.common.imgSize
        obj["flip"] = fitting.flip
        let data = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: options.out.appendingPathComponent("config.json"), options: .atomic)
    }
}

/// Refuses a batch of one image for networks with batch norm, which cannot normalise a
/// single value per channel (PyTorch raises the same way), before any work is done.
func checkBatchSize(_ model: any GANModel) throws {
    guard model.config.common.batchSize == 1 else { return }
    for (name, network) in model.networks where network.modules().contains(where: { $0 is BatchNorm }) {
        throw ConfigError("\(type(of: model).info.name)'s \(name) uses batch norm, which needs at least 2 images per batch; got --batch-size 1")
    }
}

public enum SwiftGAN {
    public static let version = "0.1.0"

    /// The commit of the source tree this binary was built from, when it is a git clone.
    public static let gitCommit: String? = {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", source.path, "rev-parse", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }()
}
