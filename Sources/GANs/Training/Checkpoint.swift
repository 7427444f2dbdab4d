// Checkpoints: every network and optimiser as safetensors (PyTorch parameter names), plus
// a small JSON manifest with the position in the data and the random streams. Each one is
// written to a temporary folder, fsynced and renamed into place, and `latest` is a symbolic
// link swapped atomically, so an interrupted write or a power cut never leaves a broken one;
// a resume that still finds one damaged goes back to the newest complete one.
import Autograd
import Foundation
import NN
import Vision

public struct CheckpointManifest: Codable, Equatable, Sendable {
    public var format = 1
    public var model: String
    public var batchesDone: Int
    /// The epoch and the batch within it that training continues with.
    public var epoch: Int
    public var batch: Int
    public var seed: UInt64
    /// Offsets of the model's random streams, by name.
    public var randomStreams: [String: UInt64]
    public var config: ModelConfig
    public var networks: [String]
    public var optimizers: [String]
    public var swiftganVersion: String
    /// The model's `carriedLosses` (absent in checkpoints of models without any).
    public var carriedLosses: [String: Float]?

    enum CodingKeys: String, CodingKey {
        case format, model, batchesDone = "batches_done", epoch, batch, seed, randomStreams = "random_streams"
        case config, networks, optimizers, swiftganVersion = "swiftgan_version", carriedLosses = "carried_losses"
    }
}

public struct CheckpointError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum Checkpoint {
    static let manifestName = "state.json"
    static let keep = 3

    /// Writes `checkpoints/<batchesDone>/` under `directory` and points `latest` at it. Every
    /// file and rename is fsynced, and `latest` names a complete checkpoint at every moment
    /// (the previous one until the new one is in place). On failure the partial checkpoint is
    /// removed and the previous ones are untouched.
    @discardableResult
    public static func save(_ model: any GANModel, manifest: CheckpointManifest, in directory: URL) throws -> URL {
        let fm = FileManager.default
        let name = String(format: "%08d", manifest.batchesDone)
        let final = directory.appendingPathComponent(name)
        let temp = directory.appendingPathComponent(".tmp-\(name)-\(getpid())")
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
            try? fm.removeItem(at: temp)
            try fm.createDirectory(at: temp, withIntermediateDirectories: true)
            try writeFiles(model, manifest: manifest, into: temp)
            try DurableFile.syncFolder(temp)
        } catch {
            try? fm.removeItem(at: temp)
            throw CheckpointError("cannot write the checkpoint \(final.path): \(DurableFile.describe(error))")
        }
        // A folder of the same name (from a run that went on past it before a resume) is moved
        // aside, not deleted, until the new one is in place.
        let aside = directory.appendingPathComponent(".old-\(name)-\(getpid())")
        let replacing = fm.fileExists(atPath: final.path)
        if replacing { try? fm.removeItem(at: aside) }
        guard !replacing || rename(final.path, aside.path) == 0, rename(temp.path, final.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(at: temp)
            throw CheckpointError("cannot move the checkpoint into \(final.path): \(reason)")
        }
        try? DurableFile.syncFolder(directory)
        try point(latestIn: directory, at: name)
        if replacing { try? fm.removeItem(at: aside) }
        prune(directory, keeping: name)
        return final
    }

    /// Every network, optimiser and the manifest of a checkpoint, each fsynced.
    static func writeFiles(_ model: any GANModel, manifest: CheckpointManifest, into folder: URL) throws {
        for (n, module) in model.networks {
            try module.save(to: folder.appendingPathComponent("\(n).safetensors").path)
        }
        // `generator.safetensors` is the file `gan sample`, `gan eval` and PyTorch users load,
        // also for models whose generating network has another name (aae's decoder).
        if !model.networks.contains(where: { $0.name == "generator" }) {
            try model.generator.save(to: folder.appendingPathComponent("generator.safetensors").path)
        }
        for (n, optimizer) in model.optimizers {
            try optimizer.save(to: folder.appendingPathComponent("\(n).safetensors").path)
        }
        var manifest = manifest
        let carried = model.carriedLosses
        manifest.carriedLosses = carried.isEmpty ? nil : carried
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let file = folder.appendingPathComponent(manifestName)
        try encoder.encode(manifest).write(to: file)
        try DurableFile.sync(file)
    }

    /// Swaps the `latest` link atomically: a new link renamed over the old one.
    static func point(latestIn directory: URL, at name: String) throws {
        let link = directory.appendingPathComponent("latest")
        let tempLink = directory.appendingPathComponent(".latest-\(getpid())")
        try? FileManager.default.removeItem(at: tempLink)
        guard symlink(name, tempLink.path) == 0, rename(tempLink.path, link.path) == 0 else {
            throw CheckpointError("cannot point \(link.path) at \(name): \(String(cString: strerror(errno)))")
        }
        try? DurableFile.syncFolder(directory)
    }

    /// The checkpoint folders of `directory` (`checkpoints/`), newest first.
    public static func folders(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter(isCheckpointName).sorted(by: >).map { directory.appendingPathComponent($0) }
    }

    static func isCheckpointName(_ name: String) -> Bool { name.count == 8 && name.allSatisfy(\.isASCII) && name.allSatisfy(\.isNumber) }

    private struct WrongModel: Error { let message: String }

    /// Restores `model` from the newest checkpoint in `directory` that loads completely. Newer
    /// ones that do not (a disk that filled, a file damaged since) are renamed to
    /// `damaged-<N>` (kept for inspection, never loaded again), `latest` is pointed at the
    /// one used, and `skipped` lists what was passed over and why.
    public static func restoreNewest(_ model: any GANModel, in directory: URL) throws
        -> (checkpoint: URL, manifest: CheckpointManifest, skipped: [String]) {
        var skipped: [String] = []
        for folder in folders(in: directory) {
            let problem: Error
            do {
                let manifest = try readManifest(folder)
                guard manifest.model == type(of: model).info.name else {
                    throw WrongModel(message: "\(folder.path) holds a \(manifest.model) checkpoint, not \(type(of: model).info.name)")
                }
                try restore(model, from: folder, manifest: manifest)
                if !skipped.isEmpty { try point(latestIn: directory, at: folder.lastPathComponent) }
                return (folder, manifest, skipped)
            } catch let wrong as WrongModel {
                throw CheckpointError(wrong.message)
            } catch {
                problem = error
            }
            let aside = directory.appendingPathComponent("damaged-\(folder.lastPathComponent)")
            try? FileManager.default.removeItem(at: aside)
            let moved = rename(folder.path, aside.path) == 0
            skipped.append("\(folder.lastPathComponent) does not load (\(problem))\(moved ? "; kept as \(aside.lastPathComponent)" : "")")
        }
        throw CheckpointError("--resume: no complete checkpoint in \(directory.path)\(skipped.isEmpty ? "" : ": " + skipped.joined(separator: "; "))")
    }

    /// Removes all but the newest `keep` checkpoint folders.
    static func prune(_ directory: URL, keeping current: String) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory.path) else { return }
        let folders = names.filter(isCheckpointName).sorted()
        for old in folders.dropLast(keep) where old != current {
            try? fm.removeItem(at: directory.appendingPathComponent(old))
        }
    }

    /// The checkpoint folder for a run directory, a checkpoints folder or a checkpoint.
    public static func resolve(_ path: String) throws -> URL {
        let fm = FileManager.default
        var url = URL(fileURLWithPath: path)
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue else {
            throw CheckpointError("\(path): no such checkpoint or run directory")
        }
        for candidate in ["checkpoints/latest", "latest"] where fm.fileExists(atPath: url.appendingPathComponent(candidate).appendingPathComponent(manifestName).path) {
            url = url.appendingPathComponent(candidate)
            break
        }
        guard fm.fileExists(atPath: url.appendingPathComponent(manifestName).path) else {
            throw CheckpointError("\(path): no checkpoint found (expected \(manifestName) in it, in latest/ or in checkpoints/latest/)")
        }
        return url.resolvingSymlinksInPath()
    }

    public static func readManifest(_ checkpoint: URL) throws -> CheckpointManifest {
        let file = checkpoint.appendingPathComponent(manifestName)
        do {
            return try JSONDecoder().decode(CheckpointManifest.self, from: Data(try FileIO.read(file)))
        } catch {
            throw CheckpointError("\(file.path): not a readable SwiftGAN checkpoint manifest (\(error))")
        }
    }

    /// Loads every network, optimiser and random stream of `model` from a checkpoint.
    public static func restore(_ model: any GANModel, from checkpoint: URL, manifest: CheckpointManifest) throws {
        guard manifest.model == type(of: model).info.name else {
            throw CheckpointError("\(checkpoint.path) holds a \(manifest.model) checkpoint, not \(type(of: model).info.name)")
        }
        for (n, module) in model.networks {
            _ = try module.load(from: checkpoint.appendingPathComponent("\(n).safetensors").path)
        }
        for (n, optimizer) in model.optimizers {
            try optimizer.load(from: checkpoint.appendingPathComponent("\(n).safetensors").path)
        }
        for (n, stream) in model.randomStreams {
            guard let offset = manifest.randomStreams[n] else {
                throw CheckpointError("\(checkpoint.path): the manifest has no position for random stream \(n)")
            }
            stream.restore(offset: offset)
        }
        model.carriedLosses = manifest.carriedLosses ?? [:]
    }
}
