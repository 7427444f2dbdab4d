// Mean and covariance of feature vectors, in double precision, and the Fréchet distance
// between two Gaussians fitted to them (Heusel et al., 2017, arXiv:1706.08500).
import Foundation

public struct FeatureStatistics: Equatable, Sendable {
    public let dimension: Int
    public let count: Int
    public let mean: [Double]
    /// Unbiased covariance (divides by count - 1, as numpy.cov), row-major d x d.
    public let covariance: [Double]

    public init(dimension: Int, count: Int, mean: [Double], covariance: [Double]) {
        self.dimension = dimension
        self.count = count
        self.mean = mean
        self.covariance = covariance
    }

    /// Statistics of `count` row-major feature vectors of length `dimension`.
    public init(features: [Float], dimension d: Int) {
        precondition(d > 0 && features.count % d == 0, "FeatureStatistics: \(features.count) values are not rows of \(d)")
        let n = features.count / d
        precondition(n >= 2, "FeatureStatistics: need at least 2 feature vectors, got \(n)")
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<n { for j in 0..<d { mean[j] += Double(features[r * d + j]) } }
        for j in 0..<d { mean[j] /= Double(n) }
        var cov = [Double](repeating: 0, count: d * d)
        var centered = [Double](repeating: 0, count: d)
        for r in 0..<n {
            for j in 0..<d { centered[j] = Double(features[r * d + j]) - mean[j] }
            for i in 0..<d {
                let ci = centered[i]
                if ci == 0 { continue }
                for j in i..<d { cov[i * d + j] += ci * centered[j] }
            }
        }
        for i in 0..<d {
            for j in i..<d {
                cov[i * d + j] /= Double(n - 1)
                cov[j * d + i] = cov[i * d + j]
            }
        }
        self.init(dimension: d, count: n, mean: mean, covariance: cov)
    }
}

/// ||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2)). The trace of the square root is taken
/// as the sum of square roots of the eigenvalues of the symmetric PSD matrix
/// S1^(1/2) S2 S1^(1/2), which has the same eigenvalues as S1 S2.
public func frechetDistance(_ a: FeatureStatistics, _ b: FeatureStatistics) -> Double {
    precondition(a.dimension == b.dimension, "frechetDistance: dimensions \(a.dimension) and \(b.dimension) differ")
    let d = a.dimension
    var meanTerm = 0.0
    for i in 0..<d { meanTerm += (a.mean[i] - b.mean[i]) * (a.mean[i] - b.mean[i]) }
    let rootA = SymmetricEigen(a.covariance, n: d).reconstruct { Swift.max($0, 0).squareRoot() }
    let product = multiply(multiply(rootA, b.covariance, d), rootA, d)
    var symmetric = product
    for i in 0..<d { for j in 0..<d { symmetric[i * d + j] = 0.5 * (product[i * d + j] + product[j * d + i]) } }
    let traceRoot = SymmetricEigen(symmetric, n: d).values.reduce(0) { $0 + Swift.max($1, 0).squareRoot() }
    var trace = 0.0
    for i in 0..<d { trace += a.covariance[i * d + i] + b.covariance[i * d + i] }
    return meanTerm + trace - 2 * traceRoot
}

func multiply(_ x: [Double], _ y: [Double], _ n: Int) -> [Double] {
    var out = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for k in 0..<n {
            let xik = x[i * n + k]
            if xik == 0 { continue }
            for j in 0..<n { out[i * n + j] += xik * y[k * n + j] }
        }
    }
    return out
}
