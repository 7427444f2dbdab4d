// Eigenvalues and eigenvectors of a real symmetric matrix by the cyclic Jacobi method, in
// double precision. Jacobi is slow for large n but exact to rounding, robust for the
// near-singular covariance matrices of feature statistics, and needs no LAPACK.

public struct SymmetricEigen {
    /// Eigenvalues in ascending order.
    public let values: [Double]
    /// Eigenvectors as columns of an n x n row-major matrix, in the order of `values`.
    public let vectors: [Double]
    public let n: Int

    /// Decomposes the symmetric n x n row-major matrix `a` (only symmetry is assumed).
    public init(_ a: [Double], n: Int, maxSweeps: Int = 100) {
        precondition(a.count == n * n, "SymmetricEigen: matrix has \(a.count) entries, expected \(n * n)")
        var m = a
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
                for _ in 0..<maxSweeps {
                    var off = 0.0, diag = 0.0
                    for i in 0..<n {
                        diag += m[i * n + i] * m[i * n + i]
                        for j in (i + 1)..<max(i + 1, n) { off += m[i * n + j] * m[i * n + j] }
                    }
                    if off <= 1e-30 * max(diag, 1e-300) { break }
                    for p in 0..<n {
                        for q in (p + 1)..<max(p + 1, n) {
                            let apq = m[p * n + q]
                            if apq == 0 { continue }
                            let app = m[p * n + p], aqq = m[q * n + q]
                            // The rotation angle that zeroes m[p][q] (Golub & Van Loan 8.5).
                            let theta = (aqq - app) / (2 * apq)
                            let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                            let c = 1 / (t * t + 1).squareRoot(), s = t * c
                            for k in 0..<n {
                                let mkp = m[k * n + p], mkq = m[k * n + q]
                                m[k * n + p] = c * mkp - s * mkq
                                m[k * n + q] = s * mkp + c * mkq
                            }
                            for k in 0..<n {
                                let mpk = m[p * n + k], mqk = m[q * n + k]
                                m[p * n + k] = c * mpk - s * mqk
                                m[q * n + k] = s * mpk + c * mqk
                            }
                            for k in 0..<n {
                                let vkp = v[k * n + p], vkq = v[k * n + q]
                                v[k * n + p] = c * vkp - s * vkq
                                v[k * n + q] = s * vkp + c * vkq
                            }
                        }
                    }
                }
            }
        }
        let order = (0..<n).sorted { m[$0 * n + $0] < m[$1 * n + $1] }
        values = order.map { m[$0 * n + $0] }
        var sorted = [Double](repeating: 0, count: n * n)
        for (newCol, oldCol) in order.enumerated() {
            for r in 0..<n { sorted[r * n + newCol] = v[r * n + oldCol] }
        }
        vectors = sorted
        self.n = n
    }

    /// V f(D) V^T for a function of the eigenvalues (square root, inverse, ...).
    public func reconstruct(_ f: (Double) -> Double) -> [Double] {
        let fd = values.map(f)
        var out = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var s = 0.0
                for k in 0..<n { s += vectors[i * n + k] * fd[k] * vectors[j * n + k] }
                out[i * n + j] = s
                out[j * n + i] = s
            }
        }
        return out
    }
}
