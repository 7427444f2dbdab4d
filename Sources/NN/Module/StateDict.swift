// An ordered name -> tensor map: what `Module.stateDict()` returns, what safetensors
// files hold, and what optimisers save.
import Autograd

public struct StateDict {
    public struct Entry {
        public var tensor: Tensor
        /// The dtype the tensor had in (or will have in) a file.
        public var fileType: FileDType
    }

    /// Names in insertion order (files are written in this order).
    public private(set) var names: [String] = []
    private var entries: [String: Entry] = [:]
    /// Free-form string metadata (safetensors `__metadata__`).
    public var metadata: [String: String] = [:]

    public init() {}

    public init(_ tensors: [(String, Tensor)]) {
        for (n, t) in tensors { self[n] = t }
    }

    public var count: Int { names.count }
    public func contains(_ name: String) -> Bool { entries[name] != nil }
    public func entry(_ name: String) -> Entry? { entries[name] }

    public subscript(_ name: String) -> Tensor? {
        get { entries[name]?.tensor }
        set {
            if let t = newValue { set(name, t, fileType: entries[name]?.fileType ?? .f32) } else { remove(name) }
        }
    }

    public mutating func set(_ name: String, _ tensor: Tensor, fileType: FileDType = .f32) {
        if entries[name] == nil { names.append(name) }
        entries[name] = Entry(tensor: tensor, fileType: fileType)
    }

    public mutating func remove(_ name: String) {
        guard entries.removeValue(forKey: name) != nil else { return }
        names.removeAll { $0 == name }
    }

    /// The entries whose names start with `prefix + "."`, with the prefix removed
    /// (to load one sub-model from a checkpoint holding several).
    public func scoped(_ prefix: String) -> StateDict {
        var out = StateDict()
        let p = prefix + "."
        for n in names where n.hasPrefix(p) {
            let e = entries[n]!
            out.set(String(n.dropFirst(p.count)), e.tensor, fileType: e.fileType)
        }
        return out
    }

    /// Adds every entry of `other` under `prefix + "."` (several models in one file).
    public mutating func merge(_ other: StateDict, prefix: String) {
        for n in other.names {
            let e = other.entries[n]!
            set(prefix.isEmpty ? n : "\(prefix).\(n)", e.tensor, fileType: e.fileType)
        }
    }
}
