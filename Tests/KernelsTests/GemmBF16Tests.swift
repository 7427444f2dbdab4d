// The bfloat16 GEMM (ck_set_precision(CK_PRECISION_BF16)) against a naive reference that
// rounds the inputs to bfloat16 the same way and sums the exact products in double. The
// kernel sums the same exact products in float, one rounding per addition, so each element
// is within (additions) * 2^-24 * (|alpha| sum |a b| + |beta c|) of the reference.
import CKernels
import XCTest
@testable import Autograd

final class GemmBF16Tests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(ck_bf16_supported() == 1, "the CPU has no AVX512_BF16")
    }

    override func tearDown() { _ = ck_set_precision(Int32(CK_PRECISION_FP32)) }

    func bf16<T>(_ body: () throws -> T) rethrows -> T {
        XCTAssertEqual(ck_set_precision(Int32(CK_PRECISION_BF16)), 1)
        defer { _ = ck_set_precision(Int32(CK_PRECISION_FP32)) }
        return try body()
    }

    /// C = alpha op(A) op(B) + beta C in bf16, checked against the rounded-input reference.
    @discardableResult
    func check(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, alpha: Float = 1, beta: Float = 0,
               pad: Int = 0, seed: UInt64 = 1, verify: Bool = true, line: UInt = #line) -> [Float] {
        var rng = LCG(seed)
        let lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad
        let a = rng.array((ta ? k : m) * lda + 1), b = rng.array((tb ? n : k) * ldb + 1)
        let c0 = rng.array(m * ldc + 1)
        var got = beta == 0 ? [Float](repeating: .nan, count: c0.count) : c0
        bf16 { ck_sgemm(ta ? 1 : 0, tb ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, &got, ldc) }
        if !verify { return (0..<m).flatMap { i in got[(i * ldc)..<(i * ldc + n)] } }
        let ar = a.map(ck_bf16_round), br = b.map(ck_bf16_round)
        let name = "bf16 ta=\(ta) tb=\(tb) m=\(m) n=\(n) k=\(k) a=\(alpha) b=\(beta) pad=\(pad)"
        var inside: [Float] = []
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0, mag = 0.0
                for p in 0..<k {
                    let av = Double(ta ? ar[p * lda + i] : ar[i * lda + p])
                    let bv = Double(tb ? br[j * ldb + p] : br[p * ldb + j])
                    s += av * bv
                    mag += abs(av * bv)
                }
                let c = Double(c0[i * ldc + j])
                let want = Double(alpha) * s + (beta == 0 ? 0 : Double(beta) * c)
                let bound = Double(k + 8) * 0x1p-24 * (abs(Double(alpha)) * mag + abs(Double(beta) * c)) + 1e-30
                let v = got[i * ldc + j]
                if !(abs(Double(v) - want) <= bound) {
                    XCTFail("\(name): C[\(i),\(j)] = \(v), reference \(want), bound \(bound)", line: line)
                    return []
                }
                inside.append(v)
            }
        }
        if beta != 0 {
            for i in 0..<m { for j in n..<ldc { XCTAssertEqual(got[i * ldc + j], c0[i * ldc + j], name, line: line) } }
        }
        return inside
    }

    func testRoundingIsNearestEven() {
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1).
        XCTAssertEqual(ck_bf16_round(1 + 0x1p-8), 1)
        XCTAssertEqual(ck_bf16_round(1 + 0x1p-7 + 0x1p-8), 1 + 0x1p-6)
        XCTAssertEqual(ck_bf16_round(1 + 0x1p-8 + 0x1p-20), 1 + 0x1p-7)
        XCTAssertEqual(ck_bf16_round(-3.0), -3.0)
        XCTAssertEqual(ck_bf16_round(.infinity), .infinity)
        XCTAssertTrue(ck_bf16_round(.nan).isNaN)
        XCTAssertEqual(ck_bf16_round(Float.leastNormalMagnitude / 2), 0)
        XCTAssertEqual(ck_bf16_round(Float.greatestFiniteMagnitude), .infinity)
    }

    /// The vectorised packers round as ck_bf16_round does: C = op(A) times a one-hot op(B)
    /// (and the other way round) reads back each packed value exactly.
    func testPackingRoundsAsReference() {
        var values: [Float] = [1 + 0x1p-8, 1 + 0x1p-7 + 0x1p-8, -(1 + 0x1p-8), 3 + 0x1p-7, 0x1p-130, -0x1p-140,
                               Float.leastNormalMagnitude, 65504.5, -1e30, 0, -0.0]
        var rng = LCG(4)
        while values.count < 64 { values.append(rng.next() * 1000) }
        let k = 64, n = 64
        var eye = [Float](repeating: 0, count: k * n)
        for i in 0..<k { eye[i * n + i] = 1 }
        let want = values.map { ck_bf16_round($0) }
        for t in 0..<2 {
            // A = values as one row (stored as a row or as a column), B = identity
            var c = [Float](repeating: .nan, count: n)
            bf16 { ck_sgemm(Int32(t), Int32(t), 1, n, k, 1, values, t == 1 ? 1 : k, eye, n, 0, &c, n) }
            XCTAssertEqual(c.map(\.bitPattern), want.map { $0 + 0 }.map(\.bitPattern), "A packed, trans \(t)")
            // A = identity, B = values as one column (stored as a column or as a row)
            c = [Float](repeating: .nan, count: k)
            bf16 { ck_sgemm(Int32(t), Int32(t), k, 1, k, 1, eye, n, values, t == 1 ? k : 1, 0, &c, 1) }
            XCTAssertEqual(c.map(\.bitPattern), want.map { $0 + 0 }.map(\.bitPattern), "B packed, trans \(t)")
        }
    }

    func testOddSizesAllTransposes() {
        for t in 0..<4 {
            for m in [1, 7, 13, 33] { for n in [1, 7, 33] { for k in [1, 2, 7, 33] {
                check(t & 1 == 1, t & 2 == 2, m, n, k)
            } } }
        }
    }

    func testBlockBoundariesAndOddDepths() {
        // 257 > MC rows, 300 and 513 > KC depth (513: an odd tail after two blocks), 2100 > NC.
        for t in 0..<4 {
            check(t & 1 == 1, t & 2 == 2, 257, 33, 300)
            check(t & 1 == 1, t & 2 == 2, 7, 257, 257)
            check(t & 1 == 1, t & 2 == 2, 13, 40, 513)
        }
        check(false, false, 5, 2100, 9)
        check(true, true, 13, 2100, 3)
    }

    func testLeadingDimensionsAlphaBeta() {
        for t in 0..<4 {
            check(t & 1 == 1, t & 2 == 2, 19, 37, 23, alpha: 0.5, beta: 0.75, pad: 3)
            check(t & 1 == 1, t & 2 == 2, 19, 37, 23, alpha: -2, beta: 1, pad: 1)
        }
    }

    /// The inputs really are rounded: the float32 product differs by far more than the bound.
    func testDiffersFromFloat32Product() {
        var rng = LCG(5)
        let a = rng.array(33 * 33), b = rng.array(33 * 33)
        var fp = [Float](repeating: 0, count: 33 * 33), bf = fp
        ck_sgemm(0, 0, 33, 33, 33, 1, a, 33, b, 33, 0, &fp, 33)
        bf16 { ck_sgemm(0, 0, 33, 33, 33, 1, a, 33, b, 33, 0, &bf, 33) }
        XCTAssertGreaterThan(zip(fp, bf).map { abs($0 - $1) }.max()!, 1e-4)
        XCTAssertEqual(ck_get_precision(), Int32(CK_PRECISION_FP32))
    }

    /// Bitwise the same for every thread count (n split, m split, a shared packed A), and
    /// for A or B stored transposed (the packed panels are the same).
    func testThreadCountsAndLayoutsGiveIdenticalResults() {
        // (600, 512, 512): a packed A past 1 MB, shared by the threads (checked for equality only).
        for (m, n, k) in [(256, 512, 64), (1200, 48, 301), (600, 512, 512)] {
            for t in [0, 3] {
                let verify = m * n * k < 20_000_000
                let one = withThreads(1) { check(t & 1 == 1, t & 2 == 2, m, n, k, beta: 0.5, verify: verify) }
                let two = withThreads(2) { check(t & 1 == 1, t & 2 == 2, m, n, k, beta: 0.5, verify: false) }
                let three = withThreads(3) { check(t & 1 == 1, t & 2 == 2, m, n, k, beta: 0.5, verify: false) }
                XCTAssertEqual(one, two, "m=\(m) n=\(n) k=\(k) t=\(t)")
                XCTAssertEqual(one, three, "m=\(m) n=\(n) k=\(k) t=\(t)")
            }
        }
        var rng = LCG(9)
        let (m, n, k) = (70, 90, 301)
        let a = rng.array(m * k), b = rng.array(k * n)
        var at = [Float](repeating: 0, count: k * m), bt = [Float](repeating: 0, count: n * k)
        for i in 0..<m { for p in 0..<k { at[p * m + i] = a[i * k + p] } }
        for p in 0..<k { for j in 0..<n { bt[j * k + p] = b[p * n + j] } }
        var c1 = [Float](repeating: 0, count: m * n), c2 = c1
        bf16 {
            ck_sgemm(0, 0, m, n, k, 1, a, k, b, n, 0, &c1, n)
            ck_sgemm(1, 1, m, n, k, 1, at, m, bt, k, 0, &c2, n)
        }
        XCTAssertEqual(c1, c2)
    }

    func testBiasEpilogue() {
        var rng = LCG(3)
        let (m, n, k) = (64, 200, 100)
        let x = rng.array(m * k), w = rng.array(n * k), bias = rng.array(n)
        var fused = [Float](repeating: 0, count: m * n), plain = fused
        bf16 {
            ck_sgemm_bias(0, 1, m, n, k, 1, x, k, w, k, 0, &fused, n, bias)
            ck_sgemm(0, 1, m, n, k, 1, x, k, w, k, 0, &plain, n)
        }
        for i in 0..<m { for j in 0..<n { plain[i * n + j] += bias[j] } }
        XCTAssertEqual(fused, plain)
    }
}
