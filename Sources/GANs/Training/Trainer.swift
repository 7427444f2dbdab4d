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
    /// Precision of the training step's matrix products and convolutions (`--precision`);
    /// weights, optimiser and everything else stay float32.
    public var precision = Precision.fp32
    /// Train data-parallel with these ranks (`gan train --distributed`): rank 0 alone
    /// prints, writes pictures, metrics and checkpoints.
    public var parallel: DataParallel?

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

/// A write in the run folder failed (a full disk, a folder gone): training stopped, with a
/// checkpoint of where it stood when one could still be written.
public struct TrainingWriteError: Error, CustomStringConvertible {
    public let message: String
    public let batchesDone: Int
    /// The checkpoint of the position training stopped at, if written.
    public let checkpoint: String?
    /// The newest earlier checkpoint, when none could be written now.
    public let previous: String?
    public let resume: String
    public var description: String {
        if let checkpoint {
            return "\(message) (training stopped after iteration \(batchesDone) with a checkpoint in \(checkpoint); make room, then resume with: \(resume))"
        }
        return "\(message) (training stopped after iteration \(batchesDone); \(previous.map { "the last checkpoint is \($0); make room, then resume with: \(resume)" } ?? "no checkpoint was written"))"
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
    /// The position of the checkpoint last written or resumed from.
    var lastCheckpoint: Int?
    /// The run's weights, checked before each checkpoint.
    var watch: WeightWatch?

    public init(model: any GANModel, options: RunOptions, interrupts: InterruptMonitor = InterruptMonitor()) {
        self.model = model
        self.options = options
        self.interrupts = interrupts
    }

    var checkpointsDirectory: URL { options.out.appendingPathComponent("checkpoints") }

    public func run() throws -> TrainingOutcome {
        let info = type(of: model).info
        let common = model.config.common
        try checkBatchSize(model)
        try model.prepareToTrain()
        // Find the data and check the sizes against memory before touching the output folder,
        // so a bad --data-dir or a batch that cannot fit changes nothing.
        let data = try TrainingData(type(of: model), config: model.config)
            .batches(batchSize: common.batchSize, seed: options.seed, limit: options.dataLimit)
        let parallel = options.parallel, isRoot = parallel?.isRoot ?? true
        try parallel?.check(model, batchSize: common.batchSize, examples: data.count)
        let examples = model.progressExamples > 0 && isRoot ? try data.examples(model.progressExamples) : nil
        try MemoryCheck.check(model, data: data, seed: options.seed)
        let folder = isRoot ? try RunFolder(options.out, resume: options.resume, model: info.name) : nil
        let resumeCommand = "gan train \(info.name) --out \(options.out.path) --resume"

        // Where to start: the beginning, or the newest complete checkpoint.
        var epoch = 0, batch = 0, batchesDone = 0
        var notes: [String] = []
        if folder?.startsOver == true { notes.append("note: \(options.out.path) holds a run that stopped before its first checkpoint; starting it over") }
        if options.resume {
            // Rank 0 first (it sets damaged checkpoints aside), then the others read the same one.
            if !isRoot { parallel?.barrier() }
            let (_, manifest, skipped) = try Checkpoint.restoreNewest(model, in: checkpointsDirectory)
            if isRoot { parallel?.barrier() }
            try parallel?.checkSamePosition(manifest.batchesDone)
            guard manifest.seed == options.seed else {
                throw CheckpointError("the checkpoint was trained with seed \(manifest.seed), not \(options.seed); a resumed run keeps its seed")
            }
            (epoch, batch, batchesDone) = (manifest.epoch, manifest.batch, manifest.batchesDone)
            lastCheckpoint = batchesDone
            notes = skipped.map { "Checkpoint \($0); resuming from the newest complete one." }
        }

        let perEpoch = data.batchesPerEpoch
        let total = options.iterations ?? common.nEpochs * perEpoch
        parallel?.prepare(model)
        let metrics: MetricsLog?
        do {
            if isRoot {
                try FileManager.default.createDirectory(at: options.out.appendingPathComponent("images"), withIntermediateDirectories: true)
                try writeConfig(total: total)
                metrics = try MetricsLog(url: options.out.appendingPathComponent("metrics.jsonl"),
                                         resumeAfter: options.resume ? batchesDone : nil)
            } else {
                metrics = nil
            }
        } catch {
            throw RunFolderError("cannot write into \(options.out.path): \(DurableFile.describe(error))")
        }
        let quiet = options.quiet || !isRoot
        let progress = ProgressReporter(totalBatches: total, batchesPerEpoch: perEpoch, nEpochs: common.nEpochs,
                                        logInterval: options.logInterval, startBatch: batchesDone)
        func say(_ text: String) { if !quiet { progress.message(text) } }
        for note in notes where isRoot { Console.error(note + "\n") }
        if options.resume { say("Resuming \(info.name) from batch \(batchesDone) (epoch \(epoch), batch \(batch)).") }
        say("Training \(info.name) (\(info.citation)) on \(data.summary)\(parallel.map { " over \($0.size) ranks" } ?? ""), \(total) iterations; writing to \(options.out.path)")

        interrupts.start()
        defer { interrupts.stop() }
        let start = Date()
        var lastLosses: Losses = []
        // Time spent waiting for the data pipeline, reported at the end: what the prefetching
        // loader did not hide behind training.
        var dataWait: Double = 0
        let watched = WeightWatch(model)
        watch = watched
        model.epochStarted(epoch)
        while batchesDone < total {
            if batch >= perEpoch {
                epoch += 1
                batch = 0
                model.epochStarted(epoch)
            }
            let asked = Date()
            var next: TrainingBatch
            do {
                next = try data.batch(batch, epoch: epoch)
            } catch {
                // A bad file stops the run where it stands; what was trained so far is kept.
                if !quiet { progress.finishLine() }
                if batchesDone > 0, let metrics { try saveCheckpoint(batchesDone: batchesDone, epoch: epoch, batch: batch, metrics: metrics) }
                throw TrainingDataError(message: "\(error)", batchesDone: batchesDone, resume: resumeCommand)
            }
            dataWait += Date().timeIntervalSince(asked)
            var losses: Losses
            var signal = interrupts.signalReceived
            if let parallel {
                let shard = parallel.shard(of: next.count)
                next = next.slice(shard.start..<(shard.start + shard.count))
                let local = try parallel.step(shard) { try Precision.with(options.precision) { try model.trainStep(next, batchesDone: batchesDone) } }
                (losses, signal) = parallel.agree(losses: local, shard: shard, signal: signal)
            } else {
                losses = try Precision.with(options.precision) { try model.trainStep(next, batchesDone: batchesDone) }
            }
            // Everything is checked before a step whose weights are written, a share otherwise.
            let done = batchesDone + 1
            let writes = done == total || signal != nil
                || (common.sampleInterval > 0 && done % common.sampleInterval == 0)
                || (options.checkpointInterval > 0 && done % options.checkpointInterval == 0)
            let weights = writes ? watched.firstNonFinite() : watched.nextNonFinite()
            let nonFinite = losses.first(where: { !$0.value.isFinite }).map { "the loss \($0.name) became \($0.value) at iteration \(done)" }
                ?? weights.map { "the \($0.network) weights \($0.tensor) became non-finite by iteration \(done)" }
            if let nonFinite {
                if !quiet { progress.finishLine() }
                let last = (try? Checkpoint.resolve(checkpointsDirectory.path))?.path ?? "none was written yet"
                if isRoot { Console.error("error: \(nonFinite) (epoch \(epoch), batch \(batch)); training stopped. The last good checkpoint: \(last)\n") }
                return .diverged(loss: nonFinite, batchesDone: batchesDone)
            }
            let current = (epoch, batch)
            batchesDone += 1
            batch += 1
            lastLosses = losses
            var extra: [(String, Double)] = []
            if let every = options.evalInterval, every > 0, batchesDone % every == 0, isRoot, let evaluator {
                extra = try evaluator.evaluate(model)
            }
            let position = (epoch: epoch, batch: batch)
            guard let metrics else {
                if let signal { return .interrupted(batchesDone: batchesDone, signal: signal) }
                continue
            }
            do {
                try metrics.log(epoch: current.0, batch: current.1, batchesDone: batchesDone, losses: losses,
                                seconds: Date().timeIntervalSince(start), extra: extra)
                if !quiet { progress.update(epoch: current.0, batch: current.1, batchesDone: batchesDone, losses: losses) }
                if !extra.isEmpty, !quiet {
                    say("eval at \(batchesDone): " + extra.map { "\($0.0) \(String(format: "%.4g", $0.1))" }.joined(separator: "  "))
                }
                if common.sampleInterval > 0, batchesDone % common.sampleInterval == 0 {
                    try saveProgress(batchesDone: batchesDone, metrics: metrics, examples: examples)
                }
                if options.checkpointInterval > 0, batchesDone % options.checkpointInterval == 0, batchesDone < total {
                    try saveCheckpoint(batchesDone: batchesDone, epoch: position.epoch, batch: position.batch, metrics: metrics)
                }
            } catch {
                if !quiet { progress.finishLine() }
                throw writeFailure(error, batchesDone: batchesDone, total: total, position: position, metrics: metrics, resume: resumeCommand)
            }
            if let sig = signal {
                if !quiet { progress.finishLine() }
                do {
                    try saveCheckpoint(batchesDone: batchesDone, epoch: position.epoch, batch: position.batch, metrics: metrics)
                    try LossCurve.write(series: metrics.series, title: "\(info.name) losses", to: options.out.appendingPathComponent("loss_curve.svg"))
                } catch {
                    throw writeFailure(error, batchesDone: batchesDone, total: total, position: position, metrics: metrics, resume: resumeCommand)
                }
                Console.error("""
                    Interrupted after iteration \(batchesDone) of \(total); checkpoint written to \(checkpointsDirectory.path)/latest.
                    Resume with: \(resumeCommand)\n
                    """)
                return .interrupted(batchesDone: batchesDone, signal: sig)
            }
        }
        if !quiet { progress.finishLine() }
        guard let metrics else { return .finished(batchesDone: batchesDone) }
        do {
            try saveCheckpoint(batchesDone: batchesDone, epoch: epoch, batch: batch, metrics: metrics)
            try saveProgress(batchesDone: batchesDone, metrics: metrics, examples: examples)
        } catch {
            throw writeFailure(error, batchesDone: batchesDone, total: total, position: (epoch, batch), metrics: metrics, resume: resumeCommand)
        }
        withExtendedLifetime(folder) {}
        let seconds = Date().timeIntervalSince(start)
        say(String(format: "Waited %.1f s for data (%.1f%% of the run).", dataWait, 100 * dataWait / Swift.max(seconds, 1e-9)))
        say("Done: \(batchesDone) iterations in \(ProgressReporter.duration(seconds)), peak memory \(MemoryUsage.peakResidentBytes() / 1_048_576) MB (\(lastLosses.map { "\($0.name) \(String(format: "%.4f", $0.value))" }.joined(separator: ", "))).")
        say("Samples: \(options.out.appendingPathComponent("images").path)  generator: \(checkpointsDirectory.path)/latest/generator.safetensors")
        return .finished(batchesDone: batchesDone)
    }

    /// The error a failed write in the run folder stops training with, after a checkpoint of
    /// the current position where one can still be written.
    func writeFailure(_ error: Error, batchesDone: Int, total: Int, position: (epoch: Int, batch: Int), metrics: MetricsLog,
                      resume: String) -> TrainingWriteError {
        let reason = DurableFile.describe(error)
        if error is CheckpointError || lastCheckpoint == batchesDone {
            let last = (try? Checkpoint.resolve(checkpointsDirectory.path))?.path
            return TrainingWriteError(message: reason, batchesDone: batchesDone, checkpoint: lastCheckpoint == batchesDone ? last : nil,
                                      previous: last, resume: resume)
        }
        do {
            try saveCheckpoint(batchesDone: batchesDone, epoch: position.epoch, batch: position.batch, metrics: metrics)
            return TrainingWriteError(message: reason, batchesDone: batchesDone,
                                      checkpoint: (try? Checkpoint.resolve(checkpointsDirectory.path))?.path, previous: nil, resume: resume)
        } catch {
            return TrainingWriteError(message: "\(reason); the checkpoint could not be written either (\(DurableFile.describe(error)))",
                                      batchesDone: batchesDone, checkpoint: nil,
                                      previous: (try? Checkpoint.resolve(checkpointsDirectory.path))?.path, resume: resume)
        }
    }

    func saveProgress(batchesDone: Int, metrics: MetricsLog, examples: TrainingBatch?) throws {
        let grid = withoutGrad { model.progressGrid(examples: examples) }
        try saveImageGrid(grid.images, to: options.out.appendingPathComponent("images/\(batchesDone).png"),
                          nrow: grid.rows, normalize: true)
        try LossCurve.write(series: metrics.series, title: "\(type(of: model).info.name) losses",
                            to: options.out.appendingPathComponent("loss_curve.svg"))
    }

    /// Writes a checkpoint of the position (once per position: a second call for the same one,
    /// an interrupt on a checkpoint batch, keeps the first), after making the metrics durable.
    func saveCheckpoint(batchesDone: Int, epoch: Int, batch: Int, metrics: MetricsLog) throws {
        guard lastCheckpoint != batchesDone else { return }
        if let bad = watch?.firstNonFinite() {
            throw CheckpointError("no checkpoint written: the \(bad.network) weights \(bad.tensor) are not finite")
        }
        try metrics.sync()
        var streams: [String: UInt64] = [:]
        for (n, g) in model.randomStreams { streams[n] = g.offset }
        let manifest = CheckpointManifest(
            model: type(of: model).info.name, batchesDone: batchesDone, epoch: epoch, batch: batch, seed: options.seed,
            randomStreams: streams, config: model.config, networks: model.networks.map(\.name),
            optimizers: model.optimizers.map(\.name), swiftganVersion: SwiftGAN.version)
        try Checkpoint.save(model, manifest: manifest, in: checkpointsDirectory)
        lastCheckpoint = batchesDone
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
            "precision": options.precision.rawValue,
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
        if !fitting.attributes.isEmpty { obj["selected_attrs"] = fitting.attributes }
        let data = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
        try DurableFile.write(data, to: options.out.appendingPathComponent("config.json"))
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
