// Finds a module's parameters, buffers and children by reflecting over its stored
// properties, base classes first, in declaration order (PyTorch's registration order).

/// One buffer as found by reflection.
public struct NamedBuffer {
    public let name: String
    public let tensor: Tensor
    public let fileType: FileDType
}

struct ModuleMembers {
    var parameters: [(String, Tensor)] = []
    var buffers: [NamedBuffer] = []
    var children: [(String, Module)] = []
}

import Autograd

enum Reflection {
    static func members(of module: Module) -> ModuleMembers {
        var mirrors: [Mirror] = []
        var m: Mirror? = Mirror(reflecting: module)
        while let current = m {
            mirrors.append(current)
            m = current.superclassMirror
        }
        var out = ModuleMembers()
        for mirror in mirrors.reversed() {
            for child in mirror.children {
                guard var label = child.label, !label.hasPrefix("$") else { continue }
                if let p = child.value as? any ParameterSlot {
                    label.removeFirst()  // the wrapper's storage is `_name`
                    if let t = p.tensor { out.parameters.append((module.stateName(forProperty: label), t)) }
                } else if let b = child.value as? any BufferSlot {
                    label.removeFirst()
                    if b.persistent, let t = b.tensor {
                        out.buffers.append(NamedBuffer(name: module.stateName(forProperty: label), tensor: t, fileType: b.fileType))
                    }
                } else if let c = child.value as? Module {
                    out.children.append((module.stateName(forProperty: label), c))
                } else if let list = child.value as? [Module] {
                    let base = module.stateName(forProperty: label)
                    for (i, c) in list.enumerated() { out.children.append(("\(base).\(i)", c)) }
                }
            }
        }
        return out
    }

    /// `convBlocks` -> `conv_blocks`, `runningMean` -> `running_mean`, `l1` -> `l1`.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        for ch in name {
            if ch.isUppercase {
                if !out.isEmpty && out.last != "_" { out.append("_") }
                out.append(contentsOf: ch.lowercased())
            } else {
                out.append(ch)
            }
        }
        return out
    }
}
