// The base of every layer and model. Parameters (`@Parameter`), buffers (`@Buffer`) and
// child modules (stored `Module`s, optionals and arrays of them) are discovered by
// reflection and named as PyTorch names them, so PyTorch state dicts load by name.
import Autograd

open class Module {
    /// Training mode (batch statistics, active dropout) or evaluation mode.
    public private(set) var isTraining = true

    public init() {}

    /// The single-input forward pass. Models with several inputs define their own
    /// `callAsFunction` instead and are not used inside `Sequential`.
    open func forward(_ input: Tensor) -> Tensor {
        fatalError("\(type(of: self)) does not implement forward(_:); call it with its own arguments")
    }

    public final func callAsFunction(_ input: Tensor) -> Tensor { forward(input) }

    /// The state-dict name of a stored property. Default: snake_case of the Swift name
    /// (`convBlocks` -> `conv_blocks`). Override where PyTorch's name differs otherwise.
    open func stateName(forProperty name: String) -> String { Reflection.snakeCase(name) }

    /// Direct children with their names (`Sequential` numbers them 0, 1, 2, ...).
    open var namedChildren: [(name: String, module: Module)] {
        Reflection.members(of: self).children.map { (name: $0.0, module: $0.1) }
    }

    /// This module's own parameters, not its children's.
    public var ownParameters: [(name: String, tensor: Tensor)] {
        Reflection.members(of: self).parameters.map { (name: $0.0, tensor: $0.1) }
    }

    /// This module's own persistent buffers, not its children's.
    public var ownBuffers: [NamedBuffer] { Reflection.members(of: self).buffers }

    // MARK: - Traversal

    /// Every module in the tree, this one first, with dotted names ("" for this one).
    public func namedModules(prefix: String = "") -> [(name: String, module: Module)] {
        var out: [(name: String, module: Module)] = [(prefix, self)]
        for (name, child) in namedChildren {
            out += child.namedModules(prefix: prefix.isEmpty ? name : "\(prefix).\(name)")
        }
        return out
    }

    public func modules() -> [Module] { namedModules().map(\.module) }

    /// Every parameter with its dotted name (`model.0.weight`), in registration order.
    /// A tensor shared by several modules is listed once, under its first name.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        var seen = Set<ObjectIdentifier>()
        var out: [(name: String, tensor: Tensor)] = []
        for (prefix, m) in namedModules() {
            for (name, t) in m.ownParameters where seen.insert(ObjectIdentifier(t)).inserted {
                out.append((prefix.isEmpty ? name : "\(prefix).\(name)", t))
            }
        }
        return out
    }

    public func parameters() -> [Tensor] { namedParameters().map(\.tensor) }

    /// Parameters that currently require gradients (what an optimiser should update).
    public func trainableParameters() -> [Tensor] { parameters().filter(\.requiresGrad) }

    /// Every persistent buffer with its dotted name (`conv_blocks.1.running_mean`).
    public func namedBuffers() -> [NamedBuffer] {
        var out: [NamedBuffer] = []
        for (prefix, m) in namedModules() {
            for b in m.ownBuffers {
                out.append(NamedBuffer(name: prefix.isEmpty ? b.name : "\(prefix).\(b.name)", tensor: b.tensor, fileType: b.fileType))
            }
        }
        return out
    }

    /// Number of scalar parameters (as `sum(p.numel() for p in model.parameters())`).
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }
    public var trainableParameterCount: Int { trainableParameters().reduce(0) { $0 + $1.count } }

    // MARK: - Modes

    /// Sets training mode on this module and every descendant.
    @discardableResult
    public func train(_ on: Bool = true) -> Self {
        for m in modules() { m.isTraining = on }
        return self
    }

    /// Evaluation mode: running statistics in batch norm, no dropout.
    @discardableResult
    public func eval() -> Self { train(false) }

    /// Runs `body` on every descendant, then this module (PyTorch's `Module.apply`, used
    /// for `weights_init_normal`).
    public func apply(_ body: (Module) -> Void) {
        for (_, child) in namedChildren { child.apply(body) }
        body(self)
    }

    // MARK: - Gradients

    /// Clears the gradients of every parameter (PyTorch's default `set_to_none=True`).
    public func zeroGrad() {
        for p in parameters() { p.grad = nil }
    }

    /// Switches gradients on or off for the parameters whose dotted names pass `filter`
    /// (all when nil). Returns the names changed.
    @discardableResult
    public func setRequiresGrad(_ flag: Bool, where filter: ((String) -> Bool)? = nil) -> [String] {
        var changed: [String] = []
        for (name, p) in namedParameters() where filter?(name) ?? true {
            p.requiresGrad = flag
            if !flag { p.grad = nil }
            changed.append(name)
        }
        return changed
    }

    /// Freezes parameters (no gradients, skipped by optimisers built afterwards).
    @discardableResult
    public func freeze(where filter: ((String) -> Bool)? = nil) -> [String] { setRequiresGrad(false, where: filter) }

    @discardableResult
    public func unfreeze(where filter: ((String) -> Bool)? = nil) -> [String] { setRequiresGrad(true, where: filter) }
}
