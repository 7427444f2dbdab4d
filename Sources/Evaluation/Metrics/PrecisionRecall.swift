// Improved precision and recall (Kynkäänniemi et al., 2019, arXiv:1904.06991): each set of
// features spans a manifold, the union of balls around its points whose radius is the
// distance to the k-th nearest neighbour in the same set. Precision is the fraction of
// generated samples inside the real manifold; recall the fraction of real samples inside
// the generated one.
import Autograd

public struct PrecisionRecall: Equatable, Sendable {
    public let precision: Double
    public let recall: Double
}

public func precisionRecall(real: [Float], generated: [Float], dimension d: Int, k: Int = 3) -> PrecisionRecall {
    precondition(d > 0 && real.count % d == 0 && generated.count % d == 0, "precisionRecall: features are not rows of \(d)")
    let r = Tensor(shape: [real.count / d, d], scalars: real)
    let g = Tensor(shape: [generated.count / d, d], scalars: generated)
    precondition(r.shape[0] > k && g.shape[0] > k, "precisionRecall: need more than k = \(k) vectors in each set")
    let realRadii = kthNeighbourDistances(r, k: k)
    let genRadii = kthNeighbourDistances(g, k: k)
    return PrecisionRecall(precision: fractionInside(g, manifold: r, radii: realRadii),
                           recall: fractionInside(r, manifold: g, radii: genRadii))
}

/// Squared Euclidean distances between the rows of a [n, d] and b [m, d], blockwise.
func squaredDistances(_ a: Tensor, _ b: Tensor) -> Tensor {
    let an = (a * a).sum(dim: 1, keepDim: true), bn = (b * b).sum(dim: 1).reshape([1, b.shape[0]])
    return Tensor.maximum(an + bn - Tensor.matmul(a, b, transB: true) * 2, Tensor(0))
}

/// Distance of each row to its k-th nearest other row (the row itself excluded).
func kthNeighbourDistances(_ x: Tensor, k: Int) -> [Float] {
    let n = x.shape[0]
    var radii = [Float](repeating: 0, count: n)
    let block = 512
    var start = 0
    while start < n {
        let end = Swift.min(start + block, n)
        let dist = squaredDistances(x.slice(dim: 0, start: start, end: end), x).scalars
        for i in 0..<(end - start) {
            // The k+1 smallest include the point itself at distance 0.
            var smallest = [Float](repeating: .infinity, count: k + 1)
            for j in 0..<n {
                let v = dist[i * n + j]
                if v < smallest[k] {
                    var p = k
                    while p > 0 && smallest[p - 1] > v { smallest[p] = smallest[p - 1]; p -= 1 }
                    smallest[p] = v
                }
            }
            radii[start + i] = smallest[k].squareRoot()
        }
        start = end
    }
    return radii
}

/// Fraction of rows of `x` within radius of at least one row of the manifold.
func fractionInside(_ x: Tensor, manifold: Tensor, radii: [Float]) -> Double {
    let n = x.shape[0], m = manifold.shape[0]
    let r2 = radii.map { $0 * $0 }
    var inside = 0
    let block = 512
    var start = 0
    while start < n {
        let end = Swift.min(start + block, n)
        let dist = squaredDistances(x.slice(dim: 0, start: start, end: end), manifold).scalars
        for i in 0..<(end - start) {
            for j in 0..<m where dist[i * m + j] <= r2[j] { inside += 1; break }
        }
        start = end
    }
    return Double(inside) / Double(n)
}
