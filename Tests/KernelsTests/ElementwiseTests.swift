// Elementwise kernels with their own approximations, against double-precision references.
import CKernels
import Foundation
import XCTest

final class ElementwiseTests: XCTestCase {
    /// Distance in units in the last place between two finite floats of the same sign.
    func ulps(_ a: Float, _ b: Float) -> Int {
        if a == b { return 0 }
        return abs(Int(Int32(bitPattern: a.bitPattern)) - Int(Int32(bitPattern: b.bitPattern)))
    }

    /// The vectorised tanh is within one ulp of the correctly rounded value everywhere
    /// (a sweep of ~6M floats over [-12, 12], dense near 0 and around the switch to x - x^3/3),
    /// exact at the special values, and odd.
    func testTanhIsWithinOneUlp() {
        var xs: [Float] = []
        var bits: UInt32 = 0x3000_0000   // 4.7e-10
        while Float(bitPattern: bits) < 12 {
            xs.append(Float(bitPattern: bits))
            bits &+= 97
        }
        xs += xs.map { -$0 }
        var out = [Float](repeating: 0, count: xs.count)
        ck_unary(Int32(CK_TANH), xs, &out, xs.count, 0, 0)
        var worst = 0, worstX: Float = 0
        for (x, y) in zip(xs, out) {
            let want = Float(Foundation.tanh(Double(x)))
            let d = ulps(y, want)
            if d > worst { worst = d; worstX = x }
        }
        XCTAssertLessThanOrEqual(worst, 1, "worst at x = \(worstX)")
        let specials: [Float] = [0, -0.0, .infinity, -.infinity, 1e-30, -1e-30, 40, -40, .leastNonzeroMagnitude]
        var so = [Float](repeating: 0, count: specials.count)
        ck_unary(Int32(CK_TANH), specials, &so, specials.count, 0, 0)
        XCTAssertEqual(so[0].bitPattern, Float(0).bitPattern)
        XCTAssertEqual(so[1].bitPattern, Float(-0.0).bitPattern)
        XCTAssertEqual(Array(so[2...]), [1, -1, 1e-30, -1e-30, 1, -1, .leastNonzeroMagnitude])
        var nan: [Float] = [0]
        ck_unary(Int32(CK_TANH), [Float.nan], &nan, 1, 0, 0)
        XCTAssertTrue(nan[0].isNaN)
    }
}
