// Checkpoints: every network and optimiser as safetensors (PyTorch parameter names), plus
// a small JSON manifest with the position in the data and the random streams. Each one is
// written to a temporary folder and renamed into place, and `latest` is a symbolic link
// swapped atomically, so an interrupted write never leaves a broken checkpoint.
import Autograd
import Foundation
import NN

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

    /// Writes `checkpoints/<batchesDone>/` under `directory` and points `latest` at it.
    @discardableResult
    public static func save(_ model: any GANModel, manifest: CheckpointManifest, in directory: URL) throws -> URL {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = String(format: "%08d", manifest.batchesDone)
        let final = directory.appendingPathComponent(name)
        let temp = directory.appendingPathComponent(".tmp-\(name)-\(getpid())")
        try? fm.removeItem(at: temp)
        try fm.createDirectory(at: temp, withIntermediateDirectories: true)
        for (n, module) in model.networks {
            try module.save(to: temp.appendingPathComponent("\(n).safetensors").path)
        }
        // `generator.safetensors` is the file `gan sample`, `gan eval` and PyTorch users load,
        // also for models whose generating network has another name (aae's decoder).
        if !model.networks.contains(where: { $0.name == "generator" }) {
            try model.generator.save(to: temp.appendingPathComponent("generator.safetensors").path)
        }
        for (n, optimizer) in model.optimizers {
            try optimizer.save(to: temp.appendingPathComponent("\(n).safetensors").path)
        }
        var manifest = manifest
        let carried = model.carriedLosses
        manifest.carriedLosses = carried.isEmpty ? nil : carried
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: temp.appendingPathComponent(manifestName), options: .atomic)
        try? fm.removeItem(at: final)
        try fm.moveItem(at: temp, to: final)
        // Swap the `latest` link atomically: make a new link, rename it over the old one.
        let link = directory.appendingPathComponent("latest")
        let tempLink = directory.appendingPathComponent(".latest-\(getpid())")
        try? fm.removeItem(at: tempLink)
        try fm.createSymbolicLink(atPath: tempLink.path, withDestinationPath: name)
        guard rename(tempLink.path, link.path) == 0 else {
            throw CheckpointError("cannot point \(link.path) at \(name): \(String(cString: strerror(errno)))")
        }
        prune(directory, keeping: name)
        return final
    }

    /// Removes all but the newest `keep` checkpoint folders.
    static func prune(_ directory: URL, keeping current: String) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory.path) else { return }
        let folders = names.filter { $0.count == 8 && $0.allSatisfy(\.isNumber) }.sorted()
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
            return try JSONDecoder().decode(CheckpointManifest.self, from: Data(contentsOf: file))
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
