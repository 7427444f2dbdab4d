// Matrix products through the C GEMM.
import CKernels

extension Kernels {
    /// Row-major C[m,n] = alpha * op(A) * op(B) + beta * C.
    static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                      a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        ck_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        WorkCount.add(2 * Double(m) * Double(n) * Double(k))
    }
}
