// Padding's kernel against a per-element reference, on planes large enough to be split
// over threads.
import XCTest
@testable import Autograd

final class PadTests: XCTestCase {
    /// out[p][oy][ox] = x[p][source(oy - top)][source(ox - left)], or `value` outside.
    func reference(_ x: [Float], planes: Int, h: Int, w: Int, left: Int, right: Int, top: Int, bottom: Int,
                   mode: PadMode, value: Float) -> [Float] {
        func source(_ i: Int, _ size: Int) -> Int? {
            switch mode {
            case .zeros, .constant: return i < 0 || i >= size ? nil : i
            case .reflect: return i < 0 ? -i : (i >= size ? 2 * (size - 1) - i : i)
            case .replicate: return min(max(i, 0), size - 1)
            }
        }
        let oh = h + top + bottom, ow = w + left + right
        var out = [Float](repeating: value, count: planes * oh * ow)
        for p in 0..<planes { for oy in 0..<oh { for ox in 0..<ow {
            if let sy = source(oy - top, h), let sx = source(ox - left, w) {
                out[(p * oh + oy) * ow + ox] = x[(p * h + sy) * w + sx]
            }
        } } }
        return out
    }

    func testLargePaddingsMatchTheReferenceForAnyThreadCount() {
        var rng = LCG(11)
        let (n, c, h, w) = (2, 20, 60, 57)
        let x = rng.array(n * c * h * w)
        let xt = Tensor(shape: [n, c, h, w], scalars: x)
        for (mode, value) in [(PadMode.reflect, Float(0)), (.constant, 0.5), (.replicate, 0), (.zeros, 0)] {
            let expected = reference(x, planes: n * c, h: h, w: w, left: 3, right: 1, top: 2, bottom: 3,
                                     mode: mode, value: value)
            let one = withThreads(1) { pad2d(xt, left: 3, right: 1, top: 2, bottom: 3, mode: mode, value: value).scalars }
            let two = withThreads(2) { pad2d(xt, left: 3, right: 1, top: 2, bottom: 3, mode: mode, value: value).scalars }
            XCTAssertEqual(one, expected, "\(mode)")
            XCTAssertEqual(two, expected, "\(mode)")
        }
    }

    func testTheAdjointSumsEveryRead() throws {
        // reflection reads interior pixels twice: their gradient is the sum of both reads
        let x = Tensor(shape: [1, 1, 2, 3], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
        let y = pad2d(x, left: 1, right: 0, top: 0, bottom: 1, mode: .reflect)   // 3 x 4
        XCTAssertEqual(y.scalars, [2, 1, 2, 3, 5, 4, 5, 6, 2, 1, 2, 3])
        let g = Tensor(shape: [1, 1, 3, 4], scalars: (1...12).map(Float.init))
        try y.backward(seed: g)
        // x[0][1] is read at (0,0), (0,2), (2,0), (2,2): 1 + 3 + 9 + 11
        let expected: [Float] = [12, 24, 16, 6, 12, 8]   // [2 + 10, 1 + 3 + 9 + 11, 4 + 12, 6, 5 + 7, 8]
        XCTAssertEqual(x.grad?.scalars, expected)
    }
}
