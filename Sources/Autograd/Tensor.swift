// The tensor: float32, contiguous, row-major (NCHW for images, as PyTorch).

public final class Tensor: @unchecked Sendable {
    /// Dimensions, outermost first.
    public let shape: [Int]
    /// The elements; shared with views made by reshape/detach. A var only so that autograd
    /// can ask whether a gradient's storage is uniquely referenced (then summed into in place).
    /// Internal: other modules reach elements only through the named operations (Access/,
    /// OptimizerStep), so every raw write stays in the engine.
    @exclusivity(unchecked) var storage: TensorStorage
    /// Whether operations on this tensor are recorded for autograd.
    public var requiresGrad: Bool
    /// The accumulated gradient of a leaf after `backward()`.
    public var grad: Tensor?
    /// The operation that produced this tensor (nil for leaves).
    var gradFn: GradNode?
    /// How to recompute this tensor from a smaller one (nearest upsampling keeps its
    /// input): an op that saves this tensor for its backward keeps the recipe instead.
    var recipe: (() -> Tensor)?

    init(shape: [Int], storage: TensorStorage, requiresGrad: Bool = false) {
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A tensor of `shape` whose elements the caller will overwrite.
    static func uninitialized(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(uninitializedCount: Shape.count(shape)))
    }

    /// Copies `scalars` (row-major) into a new tensor of `shape`.
    public convenience init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) {
        for d in shape where d < 0 { shapeFailure("Tensor(shape:scalars:): negative dimension in \(Shape.describe(shape))") }
        guard Shape.count(shape) == scalars.count else {
            shapeFailure("Tensor(shape:scalars:): shape \(Shape.describe(shape)) needs \(Shape.count(shape)) elements, got \(scalars.count)")
        }
        let s = TensorStorage(uninitializedCount: scalars.count)
        scalars.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { s.pointer.update(from: base, count: scalars.count) }
        }
        self.init(shape: shape, storage: s, requiresGrad: requiresGrad)
    }

    /// A 0-dimensional tensor holding one value.
    public convenience init(_ scalar: Float, requiresGrad: Bool = false) {
        self.init(shape: [], scalars: [scalar], requiresGrad: requiresGrad)
    }

    /// A 1-D tensor of the values.
    public convenience init(_ scalars: [Float], requiresGrad: Bool = false) {
        self.init(shape: [scalars.count], scalars: scalars, requiresGrad: requiresGrad)
    }

    public var rank: Int { shape.count }
    public var count: Int { storage.count }
    public var isLeaf: Bool { gradFn == nil }
    /// The name of the op that produced this tensor, if any.
    public var gradFnName: String? { gradFn?.name }

    /// A copy of the elements, row-major.
    public var scalars: [Float] { Array(storage.buffer) }

    /// The single value of a one-element tensor.
    public func item() -> Float {
        guard count == 1 else { shapeFailure("item(): tensor of shape \(Shape.describe(shape)) has \(count) elements, not 1") }
        return storage.pointer[0]
    }

    /// The element at a multi-index (for tests and small look-ups, not hot loops).
    public subscript(_ index: Int...) -> Float {
        guard index.count == rank else { shapeFailure("subscript: \(index.count) indices for a tensor of rank \(rank)") }
        var off = 0
        let st = Shape.strides(shape)
        for (d, i) in index.enumerated() {
            guard i >= 0 && i < shape[d] else { shapeFailure("subscript: index \(i) out of range for dimension \(d) of \(Shape.describe(shape))") }
            off += i * st[d]
        }
        return storage.pointer[off]
    }

    /// The same elements, cut off from the graph (shares storage).
    public func detach() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// Marks this tensor as a leaf that requires gradients and returns it.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        requiresGrad = flag
        return self
    }

    /// A deep copy with no graph.
    public func copy() -> Tensor { copy(longLived: false) }

    /// A copy for state kept for the whole run (an optimiser's moments loaded from a
    /// checkpoint): its buffer is exactly its size class (see `TensorStorage`).
    public func longLivedCopy() -> Tensor { copy(longLived: true) }

    private func copy(longLived: Bool) -> Tensor {
        let t = Tensor(shape: shape, storage: TensorStorage(uninitializedCount: count, longLived: longLived))
        t.storage.pointer.update(from: storage.pointer, count: count)
        return t
    }

    /// Overwrites the elements with those of `other` (same shape), outside the graph.
    public func assign(_ other: Tensor) {
        guard other.shape == shape else { shapeFailure("assign: shapes \(Shape.describe(shape)) and \(Shape.describe(other.shape)) differ") }
        if other.storage !== storage { storage.pointer.update(from: other.storage.pointer, count: count) }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(16).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(Shape.describe(shape)), [\(shown)\(count > 16 ? ", ..." : "")]\(gradFn.map { ", grad_fn: \($0.name)" } ?? ""))"
    }
}

// MARK: - Creation

extension Tensor {
    public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) -> Tensor {
        full(shape, value, requiresGrad: requiresGrad, longLived: false)
    }
    private static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool, longLived: Bool) -> Tensor {
        for d in shape where d < 0 { shapeFailure("full: negative dimension in \(Shape.describe(shape))") }
        return Tensor(shape: shape, storage: TensorStorage(repeating: value, count: Shape.count(shape), longLived: longLived),
                      requiresGrad: requiresGrad)
    }
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor { full(shape, 0, requiresGrad: requiresGrad) }
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor { full(shape, 1, requiresGrad: requiresGrad) }
    public static func zeros(like t: Tensor) -> Tensor { full(t.shape, 0) }
    /// Zeros for state kept for the whole run (an optimiser's moments), in a buffer of
    /// exactly their size class (see `TensorStorage`).
    public static func longLivedZeros(_ shape: [Int]) -> Tensor { full(shape, 0, requiresGrad: false, longLived: true) }
    public static func ones(like t: Tensor) -> Tensor { full(t.shape, 1) }

    /// start, start+step, ... below end (as torch.arange).
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        guard step != 0, (end - start) / step >= 0 else { shapeFailure("arange: empty or infinite range \(start)..<\(end) step \(step)") }
        let n = Int(((end - start) / step).rounded(.up))
        return Tensor(shape: [n], scalars: (0..<n).map { start + Float($0) * step })
    }

    /// Uniform draws in [low, high) from `generator`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, generator: RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = drawn(shape) { generator.fillUniform($0, count: $1, low: low, high: high) }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Normal draws N(mean, std^2) from `generator` (Box-Muller over Philox).
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, generator: RandomGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = drawn(shape) { generator.fillNormal($0, count: $1, mean: mean, std: std) }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Integers drawn uniformly from low..<high, as floats (labels, class codes).
    public static func randint(_ shape: [Int], low: Int, high: Int, generator: RandomGenerator) -> Tensor {
        guard high > low else { shapeFailure("randint: empty range \(low)..<\(high)") }
        return drawn(shape) { p, n in
            for i in 0..<n { p[i] = Float(low + generator.nextInt(below: high - low)) }
        }
    }

    /// The n x m identity (m defaults to n).
    public static func eye(_ n: Int, _ m: Int? = nil) -> Tensor {
        let cols = m ?? n
        let t = Tensor.zeros([n, cols])
        for i in 0..<Swift.min(n, cols) { t.storage.pointer[i * cols + i] = 1 }
        return t
    }

    /// One-hot rows for integer class indices.
    public static func oneHot(_ indices: [Int], classes: Int) -> Tensor {
        let t = Tensor.zeros([indices.count, classes])
        for (i, c) in indices.enumerated() {
            guard c >= 0 && c < classes else { shapeFailure("oneHot: index \(c) out of range for \(classes) classes") }
            t.storage.pointer[i * classes + c] = 1
        }
        return t
    }
}

/// What an op keeps of an input for its backward pass: the tensor, or the recipe that
/// recomputes it when that is cheaper to hold (see `Tensor.recipe`).
struct SavedTensor {
    private let tensor: Tensor?
    private let recipe: (() -> Tensor)?

    init(_ t: Tensor) {
        if let r = t.recipe { tensor = nil; recipe = r } else { tensor = t; recipe = nil }
    }

    var value: Tensor { tensor ?? recipe!() }
}
