// The packed GEMM against the naive triple loop, for every micro-kernel the CPU has.
import CKernels
import XCTest
@testable import Autograd

final class GemmTests: XCTestCase {
    override func tearDown() { _ = ck_gemm_set_isa(Int32(CK_ISA_AUTO)) }

    /// Computes C = alpha op(A) op(B) + beta C with both implementations and compares.
    @discardableResult
    func check(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, alpha: Float = 1,
               beta: Float = 0, pad: Int = 0, seed: UInt64 = 1, verify: Bool = true,
               line: UInt = #line) -> [Float] {
        var rng = LCG(seed)
        let lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad
        let a = rng.array((ta ? k : m) * lda + 1), b = rng.array((tb ? n : k) * ldb + 1)
        let c0 = rng.array(m * ldc + 1)
        // beta == 0 must ignore C entirely, NaNs included
        var got = beta == 0 ? [Float](repeating: .nan, count: c0.count) : c0
        var want = c0
        ck_sgemm(ta ? 1 : 0, tb ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, &got, ldc)
        if verify { ck_sgemm_reference(ta ? 1 : 0, tb ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, &want, ldc) }
        // Only the m x n window may change: padding columns keep their old values.
        let name = "\(String(cString: ck_gemm_isa_name())) ta=\(ta) tb=\(tb) m=\(m) n=\(n) k=\(k) a=\(alpha) b=\(beta) pad=\(pad)"
        var inside: [Float] = [], ref: [Float] = []
        for i in 0..<m { for j in 0..<n { inside.append(got[i * ldc + j]); ref.append(want[i * ldc + j]) } }
        if verify { assertClose(inside, ref, tol: 2e-5 * Float(max(1, k)).squareRoot(), name, line: line) }
        if beta != 0 {
            for i in 0..<m { for j in n..<ldc { XCTAssertEqual(got[i * ldc + j], c0[i * ldc + j], name, line: line) } }
        }
        return inside
    }

    func isas() -> [Int32] {
        [CK_ISA_PORTABLE, CK_ISA_AVX2, CK_ISA_AVX512].map { Int32($0) }.filter { ck_gemm_set_isa($0) == 1 }
    }

    func testOddSizesAllTransposes() {
        for isa in isas() {
            _ = ck_gemm_set_isa(isa)
            for t in 0..<4 {
                for m in [1, 7, 33] { for n in [1, 7, 33] { for k in [1, 7, 33] {
                    check(t & 1 == 1, t & 2 == 2, m, n, k)
                } } }
            }
        }
    }

    func testBlockBoundaries() {
        // 257 > MC (144) rows, 300 > KC (256) depth, 2100 > NC (2048) columns
        for isa in isas() {
            _ = ck_gemm_set_isa(isa)
            for t in 0..<4 {
                check(t & 1 == 1, t & 2 == 2, 257, 33, 300)
                check(t & 1 == 1, t & 2 == 2, 7, 257, 257)
            }
            check(false, false, 5, 2100, 9)
            check(true, true, 13, 2100, 3)
        }
    }

    func testLeadingDimensionsAlphaBeta() {
        for isa in isas() {
            _ = ck_gemm_set_isa(isa)
            for t in 0..<4 {
                check(t & 1 == 1, t & 2 == 2, 33, 31, 17, alpha: 0.5, beta: 0, pad: 3)
                check(t & 1 == 1, t & 2 == 2, 13, 45, 29, alpha: -1.5, beta: 1, pad: 5)
                check(t & 1 == 1, t & 2 == 2, 12, 32, 300, alpha: 2, beta: -0.25, pad: 1)
            }
        }
    }

    func testDegenerateShapes() {
        check(false, false, 7, 9, 0, beta: 0.5)   // k == 0 scales C by beta
        check(false, false, 7, 9, 0, beta: 0)     // ... or zeroes it
        check(true, false, 7, 9, 5, alpha: 0, beta: 2)
        check(false, false, 0, 9, 5)
        check(false, false, 7, 0, 5)
    }

    func testThreadCountsGiveIdenticalResults() {
        // Large enough to be split (n split and m split); tiles compute identically wherever
        // they fall, so the results must be bitwise equal.
        // (384, 1024, 700): a packed A past 1 MB, shared by the threads instead of one per
        // thread; (600, 512, 512): taller than wide, so split by rows though n has many tiles.
        for (m, n, k) in [(256, 512, 256), (1200, 48, 300), (384, 1024, 700), (600, 512, 512)] {
            for t in [0, 3] {
                let one = withThreads(1) { check(t & 1 == 1, t & 2 == 2, m, n, k, beta: 0.5) }
                let two = withThreads(2) { check(t & 1 == 1, t & 2 == 2, m, n, k, beta: 0.5, verify: false) }
                let three = withThreads(3) { check(t & 1 == 1, t & 2 == 2, m, n, k, beta: 0.5, verify: false) }
                XCTAssertEqual(one, two, "m=\(m) n=\(n) k=\(k)")
                XCTAssertEqual(one, three, "m=\(m) n=\(n) k=\(k)")
            }
        }
    }

    /// A non-transposed B is read in place by products of at most 64 rows and packed into
    /// panels by taller ones; both must give the same numbers (the same FMA per k, in k
    /// order): the first 64 rows of a 128-row product equal the 64-row product of those rows.
    func testBReadInPlaceEqualsPackedB() {
        for isa in isas() {
            _ = ck_gemm_set_isa(isa)
            for (n, k, ldb) in [(96, 300, 96), (1024, 64, 1024), (70, 33, 80)] {
                var rng = LCG(7)
                let a = rng.array(128 * k), b = rng.array(k * ldb)
                var tall = [Float](repeating: 0, count: 128 * n), thin = [Float](repeating: 0, count: 64 * n)
                ck_sgemm(0, 0, 128, n, k, 1, a, k, b, ldb, 0, &tall, n)
                ck_sgemm(0, 0, 64, n, k, 1, a, k, b, ldb, 0, &thin, n)
                XCTAssertEqual(Array(tall[0..<(64 * n)]), thin, "\(String(cString: ck_gemm_isa_name())) n=\(n) k=\(k) ldb=\(ldb)")
            }
        }
    }

    /// X W^T with a thin X reads W in place and transposes tiles of C^T on the way out; it
    /// must give bitwise the packed route's numbers (the same FMA per k, in k order, the
    /// same sums across K blocks), at every thread count, for ragged m, n and k.
    func testThinRouteEqualsPackedRoute() {
        defer { ck_gemm_set_thin_route(1) }
        // (160, 50, 2000): X^T past 1 MB, packed once by the caller and shared.
        for (m, n, k) in [(1, 1, 1), (5, 13, 7), (31, 300, 257), (64, 784, 1024), (100, 25, 600), (160, 64, 300),
                          (160, 50, 2000)] {
            var rng = LCG(UInt64(7 * m + n + k))
            let ldc = n + 2
            let a = rng.array(m * k), b = rng.array(n * k), bias = rng.array(n)
            var packed = [Float](repeating: .nan, count: m * ldc), thin = packed
            for alpha: Float in [1, -0.75] {
                for threads in [1, 2, 3] {
                    withThreads(threads) {
                        ck_gemm_set_thin_route(0)
                        ck_sgemm_bias(0, 1, m, n, k, alpha, a, k, b, k, 0, &packed, ldc, bias)
                        ck_gemm_set_thin_route(1)
                        ck_sgemm_bias(0, 1, m, n, k, alpha, a, k, b, k, 0, &thin, ldc, bias)
                    }
                    for i in 0..<m {
                        XCTAssertEqual(Array(thin[(i * ldc)..<(i * ldc + n)]), Array(packed[(i * ldc)..<(i * ldc + n)]),
                                       "m=\(m) n=\(n) k=\(k) alpha=\(alpha), \(threads) threads, row \(i)")
                        XCTAssertTrue(thin[i * ldc + n].isNaN, "padding written, m=\(m) n=\(n) k=\(k)")
                    }
                }
            }
            check(false, true, m, n, k)   // and against the triple loop
        }
    }

    /// ck_sgemm_bias is bitwise the product followed by the broadcast add, on the serial
    /// path, the n split and the m split, at every thread count, with padded rows.
    func testBiasEpilogueEqualsProductThenAdd() {
        for (m, n, k) in [(1, 1, 1), (7, 33, 5), (64, 784, 1024), (128, 512, 784), (1200, 48, 300)] {
            var rng = LCG(UInt64(m * n + k))
            let ldc = n + 3
            let a = rng.array(m * k), b = rng.array(n * k), bias = rng.array(n)
            var want = [Float](repeating: 0, count: m * ldc)
            ck_sgemm(0, 1, m, n, k, 1, a, k, b, k, 0, &want, ldc)
            for i in 0..<m { for j in 0..<n { want[i * ldc + j] += bias[j] } }
            for threads in [1, 2, 3] {
                var got = [Float](repeating: 0, count: m * ldc)
                withThreads(threads) { ck_sgemm_bias(0, 1, m, n, k, 1, a, k, b, k, 0, &got, ldc, bias) }
                XCTAssertEqual(got, want, "m=\(m) n=\(n) k=\(k), \(threads) threads")
            }
        }
    }

    func testMatmulGoesThroughFastKernel() {
        var rng = LCG(9)
        let a = rng.array(5 * 7), b = rng.array(7 * 3)
        var want = [Float](repeating: 0, count: 15)
        ck_sgemm_reference(0, 0, 5, 3, 7, 1, a, 7, b, 3, 0, &want, 3)
        var got = [Float](repeating: 0, count: 15)
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in got.withUnsafeMutableBufferPointer { pc in
            Kernels.sgemm(transA: false, transB: false, m: 5, n: 3, k: 7, a: pa.baseAddress!, lda: 7,
                          b: pb.baseAddress!, ldb: 3, c: pc.baseAddress!, ldc: 3)
        } } }
        assertClose(got, want, tol: 1e-5, "Kernels.sgemm")
    }
}
