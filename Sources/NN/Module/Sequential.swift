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

    override public func forward(_ input: Tensor) -> Tensor { run(input, layers: 0..<layers.count) }

    /// The layers `range` applied in order, each nearest 2x Upsample folded into the
    /// convolution after it where that is cheaper.
    private func run(_ input: Tensor, layers range: Range<Int>) -> Tensor {
        var x = input, i = range.lowerBound
        while i < range.upperBound {
            if let (y, used) = upsampledConvolution(at: i, x, before: range.upperBound) {
                x = y
                i += used
            } else {
                x = layers[i](x)
                i += 1
            }
        }
        return x
    }

    /// The output before a final nearest 2x Upsample, and whether there was one: for a model
    /// whose next layers (several heads) take the upsampled image, each folding the upsampling
    /// into its first convolution (`forward(nearestUpsampled:)`) where that is cheaper.
    public func forwardBeforeTrailingUpsample(_ input: Tensor) -> (output: Tensor, upsamplingLeft: Bool) {
        guard let last = layers.last, Self.isNearest2x(last) else { return (forward(input), false) }
        return (run(input, layers: 0..<(layers.count - 1)), true)
    }

    /// forward(upsample(input, scaleFactor: 2)), nearest, with the upsampling folded into the
    /// first layers where they are an optional ZeroPad2d and a Conv2d that fold.
    public func forward(nearestUpsampled input: Tensor) -> Tensor {
        guard let (y, used) = foldedConvolution(from: 0, input, before: layers.count) else { return forward(upsample(input, scaleFactor: 2)) }
        return run(y, layers: used..<layers.count)
    }

    private static func isNearest2x(_ layer: Module) -> Bool {
        guard let up = layer as? Upsample else { return false }
        return up.mode == .nearest && up.scaleFactor == 2
    }

    /// A nearest 2x Upsample, an optional ZeroPad2d and a Conv2d as one convolution at the
    /// input's resolution, where that is cheaper (the same function; conv2dOfNearestUpsampled).
    private func upsampledConvolution(at i: Int, _ x: Tensor, before end: Int) -> (Tensor, Int)? {
        guard Self.isNearest2x(layers[i]), let (y, next) = foldedConvolution(from: i + 1, x, before: end) else { return nil }
        return (y, next - i)
    }

    /// Layers from `j` on, before `end` (an optional ZeroPad2d, then a Conv2d), applied to the
    /// nearest 2x upsampling of x, folded, and the index after them; nil where they do not fold.
    private func foldedConvolution(from j: Int, _ x: Tensor, before end: Int) -> (Tensor, Int)? {
        var j = j, extra: Padding2d = 0
        if j < end, let pad = layers[j] as? ZeroPad2d {
            extra = pad.padding
            j += 1
        }
        guard j < end, let conv = layers[j] as? Conv2d,
              let y = conv.forward(nearestUpsampled: x, extra: extra) else { return nil }
        return (y, j + 1)
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
