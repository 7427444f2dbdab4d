// `gan train --resume`: the run continues with every setting it started with — the model
// and data options of its newest readable checkpoint, the seed, length, intervals and data
// limit of its config.json. Only what does not change the run's numbers may be given anew
// (--iterations, --n-epochs, the intervals, --threads, --quiet, --data-dir); any other
// option must repeat the run's value.
import Autograd
import Foundation
import GANs
import Vision

struct ResumedRun {
    let manifest: CheckpointManifest
    /// config.json's settings (empty when it cannot be read; `note` then says so).
    let saved: [String: Any]
    let note: String?

    init(_ out: URL, _ type: any GANModel.Type) throws {
        let checkpoints = out.appendingPathComponent("checkpoints")
        guard let manifest = Checkpoint.folders(in: checkpoints).lazy.compactMap({ try? Checkpoint.readManifest($0) }).first else {
            throw ToolError("--resume: no checkpoint found in \(checkpoints.path)")
        }
        guard manifest.model == type.info.name else {
            throw ToolError("--resume: \(out.path) holds a \(manifest.model) run, not \(type.info.name)")
        }
        self.manifest = manifest
        let file = out.appendingPathComponent("config.json")
        if let bytes = try? FileIO.read(file), let obj = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] {
            saved = obj
            note = nil
        } else {
            saved = [:]
            note = "note: \(file.path) cannot be read; resuming with the checkpoint's options and the default length and intervals"
        }
    }

    /// The checkpoint's model configuration, after checking the options given again.
    func config(checking options: ModelOptions, _ type: any GANModel.Type) throws -> ModelConfig {
        var resumed = manifest.config
        if let n = options.nEpochs { resumed.common.nEpochs = n }
        if let s = options.sampleInterval { resumed.common.sampleInterval = s }
        for (name, value) in options.commonOverrides.sorted(by: { $0.key < $1.key }) where !["n-epochs", "sample-interval"].contains(name) {
            if Float(value) != Float(resumed.common.value(named: name)) {
                throw ToolError("--\(name) differs from the run's (\(resumed.common.value(named: name))); a resumed run keeps the options it started with")
            }
        }
        for (name, value) in options.extraOverrides.sorted(by: { $0.key < $1.key }) where resumed.extra[name].map({ Float($0) }) != Float(value) {
            throw ToolError("--\(name) differs from the run's\(resumed.extra[name].map { " (\($0))" } ?? ""); a resumed run keeps the options it started with")
        }
        // The data is read as the run started reading it; only its folder may have moved.
        let data = try options.dataOptions()
        if let d = data.directory { resumed.data.directory = d }
        let given: [(String, Bool)] = [("--dataset", data.dataset.map { $0 != (resumed.data.dataset ?? type.info.data.defaultDataset) } ?? false),
                                       ("--fit", data.fit.map { $0 != resumed.data.fit } ?? false),
                                       ("--load-size", data.loadSize.map { $0 != resumed.data.loadSize } ?? false),
                                       ("--flip", data.flip.map { $0 != resumed.data.flip } ?? false),
                                       ("--selected-attrs", data.attributes.map { $0 != resumed.data.attributes } ?? false)]
        if let (name, _) = given.first(where: { $0.1 }) {
            throw ToolError("\(name) differs from the run's; a resumed run keeps the options it started with")
        }
        // A file the run reads (VGG19 weights) may have moved.
        resumed.files.merge(options.files) { $1 }
        return resumed
    }

    /// The run options: the run's own, with the changeable ones `train` gives taking their place.
    func options(_ train: Train, out: URL) throws -> RunOptions {
        var run = RunOptions(out: out)
        run.resume = true
        run.quiet = train.quiet
        if let seed = train.seed, seed != manifest.seed {
            throw ToolError("--seed \(seed) differs from the run's (\(manifest.seed)); a resumed run keeps the options it started with")
        }
        run.seed = manifest.seed
        let savedLimit = saved["data_limit"] as? Int
        if let limit = train.dataLimit, limit != savedLimit {
            throw ToolError("--data-limit \(limit) differs from the run's (\(savedLimit.map(String.init) ?? "none")); a resumed run keeps the options it started with")
        }
        run.dataLimit = savedLimit
        // The length: given, else from --n-epochs when given, else the run's own.
        run.iterations = train.iterations ?? (train.options.nEpochs == nil ? saved["iterations"] as? Int : nil)
        run.checkpointInterval = train.checkpointInterval ?? saved["checkpoint_interval"] as? Int ?? run.checkpointInterval
        run.logInterval = train.logInterval ?? saved["log_interval"] as? Int ?? run.logInterval
        run.evalInterval = train.evalInterval ?? saved["eval_interval"] as? Int
        // Runs from before --precision were float32.
        let savedPrecision = (saved["precision"] as? String).flatMap(Precision.init(rawValue:)) ?? .fp32
        if let p = train.precision, p != savedPrecision {
            throw ToolError("--precision \(p) differs from the run's (\(savedPrecision)); a resumed run keeps the options it started with")
        }
        run.precision = try checked(savedPrecision)
        return run
    }
}
