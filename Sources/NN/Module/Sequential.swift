// Layers applied in order; children are named 0, 1, 2, ... as in nn.Sequential.
import Autograd

public final class Sequential: Module {
    public private(set) var layers: [Module]

    public init(_ layers: [Module]) {
        self.layers = layers
        super.init()
    }

    public convenience init(_ layers: Module...) { self.init(layers) }

    /// Appends layers (as `nn.Sequential(*block(...), *block(...))` builds models).
    public func append(_ more: [Module]) { layers += more }

    public var count: Int { layers.count }
    public subscript(_ i: Int) -> Module { layers[i] }

    override public var namedChildren: [(name: String, module: Module)] {
        layers.enumerated().map { (name: String($0.offset), module: $0.element) }
    }

    override public func forward(_ input: Tensor) -> Tensor {
        layers.reduce(input) { x, layer in layer(x) }
    }
}

/// Modules kept in a numbered list (`nn.ModuleList`): `blocks.0.weight`, `blocks.1.weight`.
/// A stored `[Module]` property is named the same way; this wrapper is for lists that are
/// themselves children of a `Sequential` or need a module of their own.
public final class ModuleList: Module {
    public private(set) var items: [Module]
    public init(_ items: [Module]) {
        self.items = items
        super.init()
    }
    public var count: Int { items.count }
    public subscript(_ i: Int) -> Module { items[i] }
    override public var namedChildren: [(name: String, module: Module)] {
        items.enumerated().map { (name: String($0.offset), module: $0.element) }
    }
}
