// Saving and loading a module's parameters and buffers by PyTorch name.
import Autograd

/// What a load found that did not match the model.
public struct StateDictMismatch: Equatable, CustomStringConvertible, Sendable {
    public var missing: [String] = []
    public var unexpected: [String] = []
    /// Name, the model's shape, the file's shape.
    public var misShaped: [(name: String, expected: [Int], found: [Int])] = []

    public var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty && misShaped.isEmpty }

    public static func == (a: Self, b: Self) -> Bool {
        a.missing == b.missing && a.unexpected == b.unexpected
            && a.misShaped.map(\.name) == b.misShaped.map(\.name)
    }

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing keys: " + missing.joined(separator: ", ")) }
        if !unexpected.isEmpty { parts.append("unexpected keys: " + unexpected.joined(separator: ", ")) }
        if !misShaped.isEmpty {
            parts.append("size mismatch: " + misShaped.map { "\($0.name) (model \(Shape.describe($0.expected)), file \(Shape.describe($0.found)))" }.joined(separator: ", "))
        }
        return parts.isEmpty ? "state dict matches" : parts.joined(separator: "; ")
    }
}

public struct StateDictError: Error, CustomStringConvertible {
    public let mismatch: StateDictMismatch
    /// The file the state dict came from, when it came from one.
    public var file: String? = nil
    public var description: String {
        "error loading state dict \(file.map { "\($0) " } ?? "")for the model: \(mismatch)"
    }
}

extension Module {
    /// Parameters then buffers, module by module, named as PyTorch's `state_dict()`.
    /// The tensors are the module's own (not copies); `SafeTensors.write` copies them out.
    public func stateDict() -> StateDict {
        var dict = StateDict()
        for (prefix, m) in namedModules() {
            let dot = prefix.isEmpty ? "" : prefix + "."
            for (n, t) in m.ownParameters { dict.set(dot + n, t) }
            for b in m.ownBuffers { dict.set(dot + b.name, b.tensor, fileType: b.fileType) }
        }
        return dict
    }

    /// Copies matching tensors into this model's parameters and buffers in place.
    /// Strict (the default): any missing, unexpected or mis-shaped name throws one error
    /// listing all of them and nothing is changed. Non-strict: loads what matches and
    /// returns what did not.
    @discardableResult
    public func loadStateDict(_ dict: StateDict, strict: Bool = true) throws(StateDictError) -> StateDictMismatch {
        let own = stateDict()
        var mismatch = StateDictMismatch()
        var matched: [(Tensor, Tensor)] = []
        for name in own.names {
            let target = own[name]!
            guard let source = dict[name] else { mismatch.missing.append(name); continue }
            guard source.shape == target.shape else {
                mismatch.misShaped.append((name, target.shape, source.shape))
                continue
            }
            matched.append((target, source))
        }
        mismatch.unexpected = dict.names.filter { !own.contains($0) }
        if strict && !mismatch.isEmpty { throw StateDictError(mismatch: mismatch) }
        withoutGrad {
            for (target, source) in matched { target.assign(source) }
        }
        return mismatch
    }

    /// Writes the state dict to a safetensors file (atomically).
    public func save(to path: String, metadata: [String: String] = [:]) throws(SafeTensorsError) {
        var dict = stateDict()
        dict.metadata = metadata
        try SafeTensors.write(dict, to: path)
    }

    /// Reads a safetensors file into this model; see `loadStateDict(_:strict:)`.
    @discardableResult
    public func load(from path: String, strict: Bool = true) throws -> StateDictMismatch {
        let dict = try SafeTensors.read(path)
        do { return try loadStateDict(dict, strict: strict) } catch {
            throw StateDictError(mismatch: error.mismatch, file: path)
        }
    }
}
