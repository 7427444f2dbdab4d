import XCTest
@testable import Autograd

/// conv2dOfNearestUpsampled against the layers it replaces: the same outputs and gradients
/// (input, weight, bias) as upsample, pad and conv2d run one after another.
final class UpsampledConvolutionTests: XCTestCase {
    let rng = RandomGenerator(seed: 11)

    struct Case {
        var name: String
        var input: [Int], outChannels: Int, kh: Int, kw: Int
        var left: Int, right: Int, top: Int, bottom: Int
    }

    func unfolded(_ x: Tensor, _ w: Tensor, _ b: Tensor, _ c: Case) -> Tensor {
        let u = pad2d(upsample(x, scaleFactor: 2), left: c.left, right: c.right, top: c.top, bottom: c.bottom)
        return conv2d(u, weight: w, bias: b)
    }

    func testMatchesUpsamplePadConvolution() throws {
        let cases = [
            // MUNIT's decoder: 5x5 'same' after the upsampling.
            Case(name: "5x5 same", input: [2, 3, 5, 6], outChannels: 4, kh: 5, kw: 5, left: 2, right: 2, top: 2, bottom: 2),
            // 7x7 'same': 4x4 phase kernels, the odd phases' windows one row and column in.
            Case(name: "7x7 same", input: [2, 4, 5, 4], outChannels: 3, kh: 7, kw: 7, left: 3, right: 3, top: 3, bottom: 3),
            // pix2pix's output layer: ZeroPad2d((1, 0, 1, 0)), then 4x4 with padding 1.
            Case(name: "4x4 padded", input: [1, 5, 4, 3], outChannels: 3, kh: 4, kw: 4, left: 2, right: 1, top: 2, bottom: 1),
            Case(name: "5x4", input: [1, 2, 3, 4], outChannels: 2, kh: 5, kw: 4, left: 2, right: 1, top: 2, bottom: 2),
            Case(name: "9x9 same", input: [1, 2, 6, 5], outChannels: 3, kh: 9, kw: 9, left: 4, right: 4, top: 4, bottom: 4),
            // Nine taps like a 3x3 layer, but in one direction: 5x1 phases, 5 products instead of 9.
            Case(name: "9x1 same", input: [1, 2, 5, 3], outChannels: 2, kh: 9, kw: 1, left: 0, right: 0, top: 4, bottom: 4),
            Case(name: "1x9 same", input: [1, 2, 3, 5], outChannels: 2, kh: 1, kw: 9, left: 4, right: 4, top: 0, bottom: 0),
            // ccgan's and bicyclegan's output layer: 3x3 'same' to 3 channels, too few for Winograd.
            Case(name: "3x3 to 3 channels", input: [2, 5, 4, 5], outChannels: 3, kh: 3, kw: 3, left: 1, right: 1, top: 1, bottom: 1),
            // DCGAN's generator layers: 3x3 'same' between wide layers, a transposed 4x4 stride-2
            // convolution on its Winograd route (128 3x3 tiles of the 22 x 21 input).
            Case(name: "3x3 as a transposed 4x4", input: [2, 16, 22, 21], outChannels: 17, kh: 3, kw: 3, left: 1, right: 1, top: 1, bottom: 1),
        ]
        for c in cases {
            let x = randn(c.input, rng).requiringGrad()
            let w = randn([c.outChannels, c.input[1], c.kh, c.kw], rng, std: 0.3).requiringGrad()
            let b = randn([c.outChannels], rng).requiringGrad()
            let reference = unfolded(x, w, b, c)
            let folded = try XCTUnwrap(conv2dOfNearestUpsampled(x, weight: w, bias: b, left: c.left, right: c.right,
                                                                top: c.top, bottom: c.bottom), c.name)
            XCTAssertEqual(folded.gradFnName, c.outChannels >= 16 ? "conv_transpose2d" : "interleave_phases", c.name)
            XCTAssertEqual(folded.shape, reference.shape, c.name)
            assertClose(folded.scalars, reference.scalars, c.name + " forward")
            let seed = randn(reference.shape, rng)
            let expected = try Autograd.grad(of: [(reference * seed).sum()], withRespectTo: [x, w, b])
            let got = try Autograd.grad(of: [(folded * seed).sum()], withRespectTo: [x, w, b])
            for (i, part) in ["input", "weight", "bias"].enumerated() {
                assertClose(try XCTUnwrap(got[i]).scalars, try XCTUnwrap(expected[i]).scalars, "\(c.name) d\(part)")
            }
        }
    }

    /// The transposed weight of a 3x3 tap pattern, worked out by hand: row and column 0 of
    /// the 4x4 hold tap 2, 1 taps 1 + 2, 2 taps 0 + 1, 3 tap 0.
    func testUpsampledTransposedWeightsSumTheTapsEachPhaseReads() throws {
        let w = Tensor(shape: [2, 1, 3, 3], scalars: (0..<18).map { Float($0) })   // [O 2, C 1]
        let t = w.upsampledTransposedWeights()
        XCTAssertEqual(t.shape, [1, 2, 4, 4])
        // Output channel 1's taps are 9...17: t[0][1][1][2] sums rows 1, 2 and columns 0, 1.
        let v = t.scalars
        XCTAssertEqual(v[16 + 1 * 4 + 2], 56)   // 12 + 13 + 15 + 16
        XCTAssertEqual(v[0], 8)                 // tap (2, 2) of channel 0
        XCTAssertEqual(v[15], 0)                // tap (0, 0)
        XCTAssertEqual(v[5], 24)                // 4 + 5 + 7 + 8
        XCTAssertEqual(v[16 + 10], 44)          // 9 + 10 + 12 + 13
    }

    func testTransposedWeightsSecondOrderGradients() {
        gradGradCheck([randn([2, 3, 3, 3], RandomGenerator(seed: 12))], "transposed 4x4 weights") {
            $0[0].pow(3).upsampledTransposedWeights().tanh()
        }
    }

    func testSecondOrderGradients() {
        gradGradCheck([randn([1, 2, 3, 3], rng), randn([2, 2, 5, 5], rng, std: 0.3), randn([2], rng)], "folded 5x5") {
            conv2dOfNearestUpsampled($0[0].pow(3), weight: $0[1], bias: $0[2], left: 2, right: 2, top: 2, bottom: 2)!.tanh()
        }
    }

    /// Where folding saves nothing (1x1: 1x1 phase kernels; 3x3 to 16 or more channels that the
    /// 4x4 stride-2 Winograd route does not take: what Winograd gives the layer unfolded), the
    /// output would not be twice the input or the padding would be uneven, the caller keeps the
    /// layers.
    func testDoesNotFoldWhereItWouldNotHelp() {
        let x = randn([1, 2, 4, 4], rng)
        XCTAssertNil(conv2dOfNearestUpsampled(x, weight: randn([16, 2, 3, 3], rng), bias: nil, left: 1, right: 1, top: 1, bottom: 1))
        XCTAssertNil(conv2dOfNearestUpsampled(x, weight: randn([3, 2, 1, 1], rng), bias: nil, left: 0, right: 0, top: 0, bottom: 0))
        XCTAssertNil(conv2dOfNearestUpsampled(x, weight: randn([3, 2, 5, 5], rng), bias: nil, left: 0, right: 4, top: 2, bottom: 2))
        XCTAssertNil(conv2dOfNearestUpsampled(x, weight: randn([3, 2, 5, 5], rng), bias: nil, left: 1, right: 1, top: 2, bottom: 2))
    }

    /// The pixel shuffle the fold ends with, large enough to split over threads, against its
    /// definition; unshuffling its gradient gives the seed back.
    func testPixelShuffleOfManyPlanes() throws {
        let (n, c, h, w, r) = (2, 8, 61, 67, 2)
        let x = randn([n, c * r * r, h, w], rng).requiringGrad()
        let y = pixelShuffle(x, upscaleFactor: r)
        let xs = x.scalars, ys = y.scalars
        var expected = [Float](repeating: 0, count: ys.count)
        for b in 0..<n { for ch in 0..<c { for oy in 0..<(h * r) { for ox in 0..<(w * r) {
            let plane = (b * c + ch) * r * r + (oy % r) * r + ox % r
            expected[((b * c + ch) * h * r + oy) * w * r + ox] = xs[(plane * h + oy / r) * w + ox / r]
        } } } }
        XCTAssertEqual(ys, expected)
        let seed = randn(y.shape, rng)
        let g = try XCTUnwrap(try Autograd.grad(of: [(y * seed).sum()], withRespectTo: [x])[0])
        XCTAssertEqual(pixelShuffle(g, upscaleFactor: r).scalars, seed.scalars)
    }

    func assertClose(_ a: [Float], _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let scale = b.reduce(Float(0)) { Swift.max($0, abs($1)) }
        let worst = zip(a, b).reduce(Float(0)) { Swift.max($0, abs($1.0 - $1.1)) }
        XCTAssertLessThanOrEqual(worst, 1e-5 * Swift.max(scale, 1), what, file: file, line: line)
    }
}
