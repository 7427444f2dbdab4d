// The fused Adam step and the batch-norm kernels against straightforward references.
import CKernels
import XCTest
@testable import Autograd

final class OptimizerNormTests: XCTestCase {
    /// torch.optim.Adam's update, element by element, in double.
    func referenceAdam(p: inout [Float], g: [Float], m: inout [Float], v: inout [Float], lr: Double,
                       b1: Double, b2: Double, eps: Double, wd: Double, step: Int) {
        let bc1 = 1 - pow(b1, Double(step)), bc2 = 1 - pow(b2, Double(step))
        for i in 0..<p.count {
            let gi = Double(g[i]) + wd * Double(p[i])
            let mi = b1 * Double(m[i]) + (1 - b1) * gi
            let vi = b2 * Double(v[i]) + (1 - b2) * gi * gi
            m[i] = Float(mi); v[i] = Float(vi)
            p[i] = Float(Double(p[i]) - lr / bc1 * mi / (vi.squareRoot() / bc2.squareRoot() + eps))
        }
    }

    func testAdamMatchesTorchSemantics() {
        for (b1, wd, n) in [(0.9, 0.0, 1001), (0.5, 0.01, 7), (0.5, 0.0, 600_000)] {
            var rng = LCG(11)
            var p = rng.array(n), m = [Float](repeating: 0, count: n), v = m
            var rp = p, rm = m, rv = v
            for step in 1...3 {
                let g = rng.array(n)
                ck_adam_step(&p, g, &m, &v, n, 2e-4, Float(b1), 0.999, 1e-8, Float(wd), step)
                referenceAdam(p: &rp, g: g, m: &rm, v: &rv, lr: 2e-4, b1: b1, b2: 0.999, eps: 1e-8, wd: wd, step: step)
            }
            assertClose(p, rp, tol: 1e-6, "param b1=\(b1) wd=\(wd) n=\(n)")
            assertClose(m, rm, tol: 1e-5, "m")
            assertClose(v, rv, tol: 1e-5, "v")
        }
    }

    func testAdamIsIdenticalAcrossThreadCounts() {
        let n = 700_000
        var rng = LCG(12)
        let p0 = rng.array(n), g = rng.array(n)
        func run() -> [Float] {
            var p = p0, m = [Float](repeating: 0.1, count: n), v = m
            ck_adam_step(&p, g, &m, &v, n, 1e-3, 0.9, 0.999, 1e-8, 0, 1)
            return p
        }
        XCTAssertEqual(withThreads(1, run), withThreads(2, run))
    }

    func testRMSpropMatchesItsDefinitionAndIsIdenticalAcrossThreadCounts() {
        // v = alpha v + (1 - alpha) g^2; p -= lr g / (sqrt(v) + eps), g with L2 decay; sizes
        // with ragged vector tails, and one large enough to split over threads.
        for (n, wd) in [(1, Float(0)), (37, 0.01), (700_001, 0)] {
            var rng = LCG(UInt64(n + 5))
            let p0 = rng.array(n), g = rng.array(n)
            func run() -> ([Float], [Float]) {
                var p = p0, v = [Float](repeating: 0.05, count: n)
                ck_rmsprop_step(&p, g, &v, n, 0.01, 0.99, 1e-8, wd, -.infinity, .infinity)
                ck_rmsprop_step(&p, g, &v, n, 0.01, 0.99, 1e-8, wd, -.infinity, .infinity)
                return (p, v)
            }
            let (p, v) = withThreads(1, run)
            var rp = p0.map(Double.init), rv = [Double](repeating: 0.05, count: n)
            for _ in 0..<2 {
                for k in 0..<n {
                    let gk = Double(g[k]) + Double(wd) * rp[k]
                    rv[k] = rv[k] * 0.99 + 0.01 * gk * gk
                    rp[k] -= 0.01 * gk / (rv[k].squareRoot() + 1e-8)
                }
            }
            assertClose(p, rp.map(Float.init), tol: 1e-5, "param n=\(n)")
            assertClose(v, rv.map(Float.init), tol: 1e-5, "square_avg n=\(n)")
            let (p2, v2) = withThreads(2, run)
            XCTAssertEqual(p, p2, "n=\(n)")
            XCTAssertEqual(v, v2, "n=\(n)")
        }
    }

    /// The multi-tensor steps give exactly the per-tensor results, whatever the tensor sizes
    /// (chunks span tensors) and thread count, and use each tensor's own step count.
    func testManyTensorStepsMatchOneCallPerTensor() {
        let sizes = [1, 37, 100_000, 3, 401_408, 65_536, 17]
        let steps = [1, 4, 2, 1, 7, 3, 2]
        var rng = LCG(21)
        let p0 = sizes.map { rng.array($0) }, g = sizes.map { rng.array($0) }
        let m0 = sizes.map { rng.array($0) }, v0 = sizes.map { rng.array($0).map { abs($0) } }
        var rp = p0, rm = m0, rv = v0, rs = v0
        var rq = p0
        for t in sizes.indices {
            ck_adam_step(&rp[t], g[t], &rm[t], &rv[t], sizes[t], 1e-3, 0.5, 0.999, 1e-8, 0.01, steps[t])
            ck_rmsprop_step(&rq[t], g[t], &rs[t], sizes[t], 5e-5, 0.99, 1e-8, 0, -.infinity, .infinity)
        }
        for threads in [1, 2, 3] {
            withThreads(threads) {
                var p = p0, m = m0, v = v0, q = p0, s = v0
                func pointers(_ a: inout [[Float]]) -> [UnsafeMutablePointer<Float>?] {
                    a.indices.map { i in a[i].withUnsafeMutableBufferPointer { $0.baseAddress } }
                }
                // The arrays are not resized while the raw pointers are in use.
                let pp = pointers(&p), mp = pointers(&m), vp = pointers(&v), qp = pointers(&q), sp = pointers(&s)
                let gp: [UnsafePointer<Float>?] = g.map { a in a.withUnsafeBufferPointer { $0.baseAddress } }
                ck_adam_step_many(sizes.count, pp, gp, mp, vp, sizes, steps, 1e-3, 0.5, 0.999, 1e-8, 0.01)
                ck_rmsprop_step_many(sizes.count, qp, gp, sp, sizes, 5e-5, 0.99, 1e-8, 0, -.infinity, .infinity)
                XCTAssertEqual(p, rp, "adam params, \(threads) threads")
                XCTAssertEqual(m, rm, "adam m, \(threads) threads")
                XCTAssertEqual(v, rv, "adam v, \(threads) threads")
                XCTAssertEqual(q, rq, "rmsprop params, \(threads) threads")
                XCTAssertEqual(s, rs, "rmsprop square_avg, \(threads) threads")
            }
        }
    }

    func testBatchNormForwardBackward() {
        for (n, c, hw) in [(2, 3, 5), (1, 1, 1), (4, 7, 33), (64, 8, 256)] {
            var rng = LCG(UInt64(n * 100 + c))
            let x = rng.array(n * c * hw).map { $0 * 3 + 5 }, gy = rng.array(n * c * hw)
            let gamma = rng.array(c), beta = rng.array(c)
            var y = [Float](repeating: 0, count: x.count), gx = y
            var mean = [Float](repeating: 0, count: c), varc = mean, inv = mean, gg = mean, gb = mean
            ck_batchnorm_forward(x, n, c, hw, gamma, beta, 1e-5, &y, &mean, &varc, &inv)
            ck_batchnorm_backward(gy, x, n, c, hw, mean, inv, gamma, &gx, &gg, &gb)
            // reference in double
            let cnt = Double(n * hw)
            var ry = [Float](repeating: 0, count: x.count), rgx = ry
            var rmean = [Float](), rvar = [Float](), rgg = [Float](), rgb = [Float]()
            for ch in 0..<c {
                let idx = (0..<n).flatMap { b in (0..<hw).map { (b * c + ch) * hw + $0 } }
                let mu = idx.reduce(0.0) { $0 + Double(x[$1]) } / cnt
                let va = idx.reduce(0.0) { $0 + (Double(x[$1]) - mu) * (Double(x[$1]) - mu) } / cnt
                let istd = 1 / (va + 1e-5).squareRoot()
                let xhat = idx.map { (Double(x[$0]) - mu) * istd }
                let sg = idx.reduce(0.0) { $0 + Double(gy[$1]) }
                let sgx = zip(idx, xhat).reduce(0.0) { $0 + Double(gy[$1.0]) * $1.1 }
                for (k, i) in idx.enumerated() {
                    ry[i] = Float(xhat[k] * Double(gamma[ch]) + Double(beta[ch]))
                    rgx[i] = Float(Double(gamma[ch]) * istd * (Double(gy[i]) - sg / cnt - xhat[k] * sgx / cnt))
                }
                rmean.append(Float(mu)); rvar.append(Float(va)); rgg.append(Float(sgx)); rgb.append(Float(sg))
            }
            assertClose(y, ry, tol: 2e-5, "bn y n=\(n) c=\(c) hw=\(hw)")
            assertClose(mean, rmean, tol: 1e-5, "bn mean")
            assertClose(varc, rvar, tol: 1e-5, "bn var")
            assertClose(gx, rgx, tol: 1e-4, "bn gx")
            assertClose(gg, rgg, tol: 1e-4, "bn ggamma")
            assertClose(gb, rgb, tol: 1e-4, "bn gbeta")
        }
    }
}
