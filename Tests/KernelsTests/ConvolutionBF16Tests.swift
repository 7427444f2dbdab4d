// Convolutions under Precision.bf16. The routes lowered to the packed GEMM multiply the
// bfloat16-rounded operands exactly and sum in float, so they match the direct reference
// on rounded inputs as closely as float32 matches it on the originals; the direct,
// one-pass-over-the-weight and Winograd kernels, and weight gradients with under 32 rows
// of columns (dot products), stay float32. 4x4 stride-2 layers leave the phase Winograd
// route for the GEMM in their forward pass and data gradient only.
import CKernels
import XCTest
@testable import Autograd

final class ConvolutionBF16Tests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(Precision.bf16Supported, "the CPU has no AVX512_BF16")
    }

    func geometry(batch: Int, cIn: Int, h: Int, w: Int, cOut: Int, kh: Int, kw: Int, stride: Int = 1,
                  pad: Int = 0, groups: Int = 1) -> ConvGeometry {
        ConvGeometry(batch: batch, cIn: cIn, h: h, w: w, cOut: cOut, kh: kh, kw: kw, strideH: stride,
                     strideW: stride, padH: pad, padW: pad, dilationH: 1, dilationW: 1, groups: groups)
    }

    func run(_ g: ConvGeometry, _ x: [Float], _ w: [Float], _ gy: [Float]) throws -> ([Float], [Float], [Float]) {
        let xt = Tensor(shape: g.inputShape, scalars: x), wt = Tensor(shape: g.weightShape, scalars: w)
        let gyt = Tensor(shape: g.outputShape, scalars: gy)
        return try Precision.with(.bf16) {
            (Kernels.conv2dForward(xt, wt, g).scalars, Kernels.conv2dBackwardData(gyt, wt, g).scalars,
             Kernels.conv2dBackwardWeight(xt, gyt, g).scalars)
        }
    }

    enum Expect { case roundedInputs, float32 }

    /// Expectations for the forward pass, the data gradient and the weight gradient.
    func check(_ g: ConvGeometry, _ expect: Expect, weightGradient: Expect? = nil, line: UInt = #line) throws {
        var rng = LCG(11)
        let x = rng.array(g.inputShape.reduce(1, *)), w = rng.array(g.weightShape.reduce(1, *))
        let gy = rng.array(g.outputShape.reduce(1, *))
        let (y, gx, gw) = try run(g, x, w, gy)
        let ref = DirectConv(g: g)
        let exact = [ref.forward(x, w), ref.backwardData(gy, w), ref.backwardWeight(x, gy)]
        let (xr, wr, gyr) = (x.map(ck_bf16_round), w.map(ck_bf16_round), gy.map(ck_bf16_round))
        let rounded = [ref.forward(xr, wr), ref.backwardData(gyr, wr), ref.backwardWeight(xr, gyr)]
        for (name, got, i) in [("forward", y, 0), ("backward data", gx, 1), ("backward weight", gw, 2)] {
            switch i == 2 ? weightGradient ?? expect : expect {
            case .roundedInputs:
                assertClose(got, rounded[i], tol: 1e-4, "\(name) \(g)", line: line)
                XCTAssertGreaterThan(maxDifference(got, exact[i]), 1e-4, "\(name) \(g) was not computed in bf16", line: line)
            case .float32:
                assertClose(got, exact[i], tol: 1e-4, "\(name) \(g)", line: line)
            }
        }
    }

    func maxDifference(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }

    func testIm2colRoutes() throws {
        try check(geometry(batch: 2, cIn: 4, h: 7, w: 7, cOut: 8, kh: 3, kw: 3, pad: 1), .roundedInputs)
        try check(geometry(batch: 3, cIn: 6, h: 11, w: 7, cOut: 9, kh: 4, kw: 4, stride: 2, pad: 1, groups: 3), .roundedInputs)
        try check(geometry(batch: 5, cIn: 4, h: 4, w: 4, cOut: 5, kh: 3, kw: 3, stride: 2, pad: 1), .roundedInputs)
        // 27 rows of columns: the weight gradient is dot products
        try check(geometry(batch: 2, cIn: 3, h: 7, w: 7, cOut: 8, kh: 3, kw: 3, pad: 1), .roundedInputs, weightGradient: .float32)
        // tiled by output range, and whole-image columns through the parallel GEMM
        try check(geometry(batch: 2, cIn: 8, h: 90, w: 90, cOut: 6, kh: 3, kw: 3, stride: 2, pad: 1), .roundedInputs)
        try check(geometry(batch: 2, cIn: 352, h: 18, w: 18, cOut: 8, kh: 4, kw: 4, stride: 2, pad: 1, groups: 2), .roundedInputs)
        // a 4x4 stride-2 layer that takes the phase Winograd route in float32 (128 tiles of 3x3)
        try check(geometry(batch: 8, cIn: 16, h: 24, w: 23, cOut: 17, kh: 4, kw: 4, stride: 2, pad: 1), .roundedInputs,
                  weightGradient: .float32)
    }

    func testDirectNarrowAndWinogradKernelsStayFloat32() throws {
        try check(geometry(batch: 2, cIn: 17, h: 33, w: 31, cOut: 18, kh: 3, kw: 3, pad: 1), .float32)   // Winograd
        try check(geometry(batch: 3, cIn: 5, h: 9, w: 11, cOut: 1, kh: 3, kw: 3, pad: 1), .float32)
        try check(geometry(batch: 2, cIn: 128, h: 4, w: 4, cOut: 128, kh: 4, kw: 4, stride: 2, pad: 1), .float32)
    }

    func testThreadCountsGiveIdenticalResults() throws {
        for g in [geometry(batch: 16, cIn: 16, h: 16, w: 16, cOut: 16, kh: 3, kw: 3, pad: 1),
                  geometry(batch: 16, cIn: 16, h: 16, w: 16, cOut: 32, kh: 4, kw: 4, stride: 2, pad: 1),
                  geometry(batch: 1, cIn: 176, h: 18, w: 18, cOut: 24, kh: 4, kw: 4, stride: 2, pad: 1)] {
            var rng = LCG(5)
            let x = rng.array(g.inputShape.reduce(1, *)), w = rng.array(g.weightShape.reduce(1, *))
            let gy = rng.array(g.outputShape.reduce(1, *))
            let one = try withThreads(1) { try run(g, x, w, gy) }
            let two = try withThreads(2) { try run(g, x, w, gy) }
            XCTAssertEqual(one.0, two.0, "forward \(g)")
            XCTAssertEqual(one.1, two.1, "backward data \(g)")
            XCTAssertEqual(one.2, two.2, "backward weight \(g)")
        }
    }

    /// The setting is scoped: restored after the block, float32 outside it.
    func testPrecisionIsScoped() throws {
        XCTAssertEqual(Precision.current, .fp32)
        try Precision.with(.bf16) {
            XCTAssertEqual(Precision.current, .bf16)
            try Precision.with(.fp32) { XCTAssertEqual(Precision.current, .fp32) }
            XCTAssertEqual(Precision.current, .bf16)
        }
        XCTAssertEqual(Precision.current, .fp32)
    }
}
