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
        var x = input, i = 0
        while i < layers.count {
            if let (y, used) = upsampledConvolution(at: i, x) {
                x = y
                i += used
            } else {
                x = layers[i](x)
                i += 1
            }
        }
        return x
    }

    /// A nearest 2x Upsample, an optional ZeroPad2d and a Conv2d as one convolution at the
    /// input's resolution, where that is cheaper (the same function; conv2dOfNearestUpsampled).
    private func upsampledConvolution(at i: Int, _ x: Tensor) -> (Tensor, Int)? {
        guard let up = layers[i] as? Upsample, up.mode == .nearest, up.scaleFactor == 2 else { return nil }
        var j = i + 1, extra: Padding2d = 0
        if j < layers.count, let pad = layers[j] as? ZeroPad2d {
            extra = pad.padding
            j += 1
        }
        guard j < layers.count, let conv = layers[j] as? Conv2d,
              let y = conv.forward(nearestUpsampled: x, extra: extra) else { return nil }
        return (y, j - i + 1)
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
