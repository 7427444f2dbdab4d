// Shapes are small arrays of Int, row-major (the last dimension varies fastest).

/// A shape or argument mistake, with the op and shapes involved in the message.
public struct ShapeError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Stops with a message naming the op and the shapes; never reads out of bounds.
@inline(never)
func shapeFailure(_ message: String) -> Never {
    fatalError("SwiftGAN: \(message)")
}

/// Runs a throwing shape check and turns a failure into a clear fatal error.
@inline(__always)
func check<T>(_ body: () throws(ShapeError) -> T) -> T {
    do { return try body() } catch { shapeFailure(error.message) }
}

public enum Shape {
    /// Number of elements of a shape (1 for a scalar).
    @inlinable public static func count(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape { n *= d }
        return n
    }

    /// Row-major element strides.
    public static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            s[d] = acc
            acc *= shape[d]
        }
        return s
    }

    public static func describe(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }

    /// NumPy/PyTorch broadcasting of two shapes.
    public static func broadcast(_ a: [Int], _ b: [Int], op: String) throws(ShapeError) -> [Int] {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else {
                throw ShapeError("\(op): shapes \(describe(a)) and \(describe(b)) cannot be broadcast (dimension \(i): \(da) vs \(db))")
            }
        }
        return out
    }

    /// Element strides of `shape` viewed as broadcast to `target` (0 on broadcast dims).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let offset = target.count - shape.count
        var s = [Int](repeating: 0, count: target.count)
        for i in 0..<shape.count where shape[i] != 1 || target[i + offset] == 1 {
            s[i + offset] = shape[i] == 1 ? 0 : own[i]
        }
        return s
    }

    /// A dimension index that may be negative (counted from the end), checked.
    public static func normalize(dim: Int, rank: Int, op: String) throws(ShapeError) -> Int {
        let d = dim < 0 ? dim + rank : dim
        guard d >= 0 && d < max(rank, 1) else {
            throw ShapeError("\(op): dimension \(dim) is out of range for a tensor of rank \(rank)")
        }
        return d
    }

    /// Resolves a single -1 in a requested shape, and checks the element count.
    public static func infer(_ requested: [Int], count: Int, from shape: [Int], op: String) throws(ShapeError) -> [Int] {
        var out = requested
        var unknown = -1
        var known = 1
        for (i, d) in requested.enumerated() {
            if d == -1 {
                if unknown >= 0 { throw ShapeError("\(op): only one dimension can be -1, got \(describe(requested))") }
                unknown = i
            } else if d < 0 {
                throw ShapeError("\(op): negative dimension in \(describe(requested))")
            } else { known *= d }
        }
        if unknown >= 0 {
            guard known > 0, count % known == 0 else {
                throw ShapeError("\(op): cannot view \(describe(shape)) (\(count) elements) as \(describe(requested))")
            }
            out[unknown] = count / known
        }
        guard Shape.count(out) == count else {
            throw ShapeError("\(op): cannot view \(describe(shape)) (\(count) elements) as \(describe(requested))")
        }
        return out
    }
}
