// The convolution driver against a direct (seven-loop) convolution and its adjoints.
import XCTest
@testable import Autograd

/// Direct convolution and its two adjoints, written for clarity, not speed (double sums).
struct DirectConv {
    let g: ConvGeometry
    var cg: Int { g.cIn / g.groups }
    var og: Int { g.cOut / g.groups }

    /// Calls body(xIndex, wIndex, yIndex) for every multiply-add of the forward pass.
    func forEachTap(_ body: (Int, Int, Int) -> Void) {
        for n in 0..<g.batch { for o in 0..<g.cOut {
            let grp = o / og
            for oy in 0..<g.outH { for ox in 0..<g.outW {
                let yi = ((n * g.cOut + o) * g.outH + oy) * g.outW + ox
                for c in 0..<cg { for ki in 0..<g.kh { for kj in 0..<g.kw {
                    let iy = oy * g.strideH - g.padH + ki * g.dilationH
                    let ix = ox * g.strideW - g.padW + kj * g.dilationW
                    guard iy >= 0, iy < g.h, ix >= 0, ix < g.w else { continue }
                    let xi = ((n * g.cIn + grp * cg + c) * g.h + iy) * g.w + ix
                    let wi = ((o * cg + c) * g.kh + ki) * g.kw + kj
                    body(xi, wi, yi)
                } } }
            } }
        } }
    }

    func forward(_ x: [Float], _ w: [Float]) -> [Float] {
        var y = [Double](repeating: 0, count: g.batch * g.cOut * g.outH * g.outW)
        x.withUnsafeBufferPointer { x in w.withUnsafeBufferPointer { w in y.withUnsafeMutableBufferPointer { y in
            forEachTap { xi, wi, yi in y[yi] += Double(x[xi]) * Double(w[wi]) }
        } } }
        return y.map { Float($0) }
    }

    func backwardData(_ gy: [Float], _ w: [Float]) -> [Float] {
        var gx = [Double](repeating: 0, count: g.batch * g.cIn * g.h * g.w)
        gy.withUnsafeBufferPointer { gy in w.withUnsafeBufferPointer { w in gx.withUnsafeMutableBufferPointer { gx in
            forEachTap { xi, wi, yi in gx[xi] += Double(gy[yi]) * Double(w[wi]) }
        } } }
        return gx.map { Float($0) }
    }

    func backwardWeight(_ x: [Float], _ gy: [Float]) -> [Float] {
        var gw = [Double](repeating: 0, count: g.cOut * cg * g.kh * g.kw)
        x.withUnsafeBufferPointer { x in gy.withUnsafeBufferPointer { gy in gw.withUnsafeMutableBufferPointer { gw in
            forEachTap { xi, wi, yi in gw[wi] += Double(x[xi]) * Double(gy[yi]) }
        } } }
        return gw.map { Float($0) }
    }
}

final class ConvolutionTests: XCTestCase {
    func geometry(batch: Int, cIn: Int, h: Int, w: Int, cOut: Int, kh: Int, kw: Int, stride: (Int, Int) = (1, 1),
                  pad: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1) -> ConvGeometry {
        ConvGeometry(batch: batch, cIn: cIn, h: h, w: w, cOut: cOut, kh: kh, kw: kw, strideH: stride.0,
                     strideW: stride.1, padH: pad.0, padW: pad.1, dilationH: dilation.0, dilationW: dilation.1,
                     groups: groups)
    }

    /// Runs the three kernels and returns (y, gx, gw) as arrays.
    func run(_ g: ConvGeometry, _ x: [Float], _ w: [Float], _ gy: [Float]) -> ([Float], [Float], [Float]) {
        let xt = Tensor(shape: g.inputShape, scalars: x), wt = Tensor(shape: g.weightShape, scalars: w)
        let gyt = Tensor(shape: g.outputShape, scalars: gy)
        return (Kernels.conv2dForward(xt, wt, g).scalars, Kernels.conv2dBackwardData(gyt, wt, g).scalars,
                Kernels.conv2dBackwardWeight(xt, gyt, g).scalars)
    }

    func check(_ g: ConvGeometry, seed: UInt64 = 3, line: UInt = #line) {
        var rng = LCG(seed)
        let x = rng.array(g.inputShape.reduce(1, *)), w = rng.array(g.weightShape.reduce(1, *))
        let gy = rng.array(g.outputShape.reduce(1, *))
        let ref = DirectConv(g: g)
        let (y, gx, gw) = run(g, x, w, gy)
        assertClose(y, ref.forward(x, w), tol: 1e-4, "forward \(g)", line: line)
        assertClose(gx, ref.backwardData(gy, w), tol: 1e-4, "backward data \(g)", line: line)
        assertClose(gw, ref.backwardWeight(x, gy), tol: 1e-4, "backward weight \(g)", line: line)
    }

    func testPlainAndPadded() {
        check(geometry(batch: 2, cIn: 3, h: 7, w: 7, cOut: 4, kh: 3, kw: 3, pad: (1, 1)))
        check(geometry(batch: 1, cIn: 1, h: 1, w: 1, cOut: 1, kh: 1, kw: 1))
        check(geometry(batch: 3, cIn: 2, h: 5, w: 6, cOut: 3, kh: 5, kw: 6))   // output 1x1
    }

    func testStrideDilationGroups() {
        check(geometry(batch: 2, cIn: 4, h: 9, w: 8, cOut: 6, kh: 3, kw: 2, stride: (2, 3), pad: (1, 2),
                       dilation: (2, 1), groups: 2))
        check(geometry(batch: 3, cIn: 6, h: 11, w: 7, cOut: 9, kh: 3, kw: 3, stride: (2, 2), pad: (1, 1), groups: 3))
        // padding larger than the kernel reach leaves all-padding columns
        check(geometry(batch: 1, cIn: 2, h: 3, w: 3, cOut: 2, kh: 2, kw: 2, stride: (1, 1), pad: (3, 3)))
    }

    func testSmallImagesAreBatchedIntoOneTile() {
        // 2x2 outputs: several images share one GEMM (the DCGAN discriminator's last layers)
        check(geometry(batch: 5, cIn: 3, h: 4, w: 4, cOut: 5, kh: 3, kw: 3, stride: (2, 2), pad: (1, 1)))
        check(geometry(batch: 7, cIn: 6, h: 4, w: 4, cOut: 4, kh: 3, kw: 3, stride: (2, 2), pad: (1, 1), groups: 2))
    }

    func testLargeImagesAreTiledByOutputRange() {
        // 8 * 9 * 90 * 90 floats of columns exceed one tile, so each image is split in ranges
        check(geometry(batch: 2, cIn: 8, h: 90, w: 90, cOut: 6, kh: 3, kw: 3, pad: (1, 1)))
        // one image: its data gradient is split by input channel blocks (11 channels in 8 blocks)
        check(geometry(batch: 1, cIn: 11, h: 80, w: 75, cOut: 6, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)))
    }

    func testWinogradPath() {
        // 3x3, stride 1, >= 16 channels, >= 256 output tiles of 2x2: Winograd. From 8x8 outputs
        // and 256 tiles of 4x4 the forward pass and the data gradient take F(4x4, 3x3), the
        // weight gradient (and the rest) F(2x2, 3x3); odd sizes leave partial tiles of both.
        check(geometry(batch: 4, cIn: 17, h: 33, w: 31, cOut: 18, kh: 3, kw: 3, pad: (1, 1)))
        check(geometry(batch: 3, cIn: 16, h: 38, w: 43, cOut: 20, kh: 3, kw: 3, pad: (0, 2)))
        check(geometry(batch: 8, cIn: 16, h: 21, w: 21, cOut: 16, kh: 3, kw: 3, pad: (2, 1)))
        check(geometry(batch: 1, cIn: 16, h: 38, w: 43, cOut: 20, kh: 3, kw: 3, pad: (0, 2)))
        // Exactly two 4x4 tiles a side in 256 tiles; and 8x7, one column short of F(4x4, 3x3).
        check(geometry(batch: 64, cIn: 16, h: 8, w: 8, cOut: 16, kh: 3, kw: 3, pad: (1, 1)))
        check(geometry(batch: 40, cIn: 16, h: 8, w: 7, cOut: 16, kh: 3, kw: 3, pad: (1, 1)))
        // Many small maps: chunks of 17 tile rows (51 tiles) span images, the last one partial.
        check(geometry(batch: 29, cIn: 64, h: 5, w: 5, cOut: 80, kh: 3, kw: 3, pad: (1, 1)))
        // The transformed weights are packed a block of 48 rows at a time: 257 input channels
        // are two blocks of 256 packed columns in the forward pass and six blocks of rows, the
        // last one a partial panel, in the data gradient's.
        check(geometry(batch: 64, cIn: 257, h: 4, w: 4, cOut: 16, kh: 3, kw: 3, pad: (1, 1)))
    }

    func testStrideTwoFourByFourWinogradPath() {
        // 4x4, stride 2, >= 16 channels, >= 256 3x3 output tiles: F(3x3, 2x2) on the four
        // phases. Even sizes cover every pixel; 51 rows at padding 0 leave the last one unread
        // (its gradient is zero); padding 2 reads phases that start outside the image.
        check(geometry(batch: 4, cIn: 16, h: 50, w: 46, cOut: 17, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)))
        let unread = geometry(batch: 4, cIn: 17, h: 51, w: 49, cOut: 16, kh: 4, kw: 4, stride: (2, 2), pad: (0, 2))
        // The pool hands out recycled buffers: NaN in them must not reach the unread row.
        _ = (0..<4).map { _ in Tensor.full(unread.inputShape, .nan) }
        check(unread)
        check(geometry(batch: 2, cIn: 16, h: 68, w: 67, cOut: 20, kh: 4, kw: 4, stride: (2, 2), pad: (2, 1)))
        // The transformed weights are written straight into the GEMM's packed layout: 4 x 65
        // phase channels and 257 output channels each pass a block of 256 packed columns, and
        // 257 rows leave a partial panel of rows (one tile per image, 100 images)
        check(geometry(batch: 100, cIn: 65, h: 2, w: 2, cOut: 257, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)))
    }

    func testFewOutputChannelsUseTheDirectKernels() {
        // <= 4 output channels per group at stride 1: the direct path (a generator's last layer)
        check(geometry(batch: 3, cIn: 5, h: 9, w: 11, cOut: 1, kh: 3, kw: 3, pad: (1, 1)))
        check(geometry(batch: 2, cIn: 6, h: 10, w: 7, cOut: 4, kh: 3, kw: 3, pad: (3, 1), dilation: (2, 2), groups: 2))
        check(geometry(batch: 2, cIn: 3, h: 12, w: 13, cOut: 3, kh: 5, kw: 4, pad: (2, 0)))   // 20 taps
        check(geometry(batch: 1, cIn: 2, h: 40, w: 37, cOut: 1, kh: 7, kw: 7, pad: (3, 3)))  // wide rows, tails
        check(geometry(batch: 2, cIn: 4, h: 23, w: 21, cOut: 3, kh: 9, kw: 9, pad: (4, 4)))  // 81 taps: srgan's output layer
    }

    func testLargeImagesWithManyColumnRowsUseWholeImageColumns() {
        // 176 channels x 4x4 taps = 2816 rows of columns per group: an L2 tile would hold
        // under 64 positions, so whole-image columns go to the parallel GEMM; at 81 positions
        // both images share one range (columns side by side), per group
        check(geometry(batch: 2, cIn: 352, h: 18, w: 18, cOut: 8, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1), groups: 2))
        // three images of 64 positions in one range (context_encoder's 256 -> 512 at 16 px)
        check(geometry(batch: 3, cIn: 176, h: 16, w: 16, cOut: 24, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)))
        // The forward packs the columns straight from the image, 16 positions at a time: at
        // stride 1 (munit's 5x5 convs) an output row's panels copy input rows, zero padded at
        // both ends; 37-wide rows also leave panels that span two rows, and a partial last one.
        check(geometry(batch: 2, cIn: 104, h: 12, w: 37, cOut: 6, kh: 5, kw: 5, pad: (2, 2)))
        // At stride 2 (pix2pix's 4x4 convs) a row's panel gathers every other pixel: the
        // columns' route for 8 output channels, the implicit one (vector gathers inside a row,
        // scalar ones at its ends) for 32.
        check(geometry(batch: 1, cIn: 176, h: 34, w: 40, cOut: 8, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)))
        check(geometry(batch: 1, cIn: 16, h: 34, w: 70, cOut: 32, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)))
    }

    func testLargeWeightsOverSmallMapsAreOneProduct() {
        // 256 x 4096 weights (4 MB) at 4x4 outputs: each pass is one product over the three
        // images' columns side by side (a U-Net's inner level at batch 3)
        check(geometry(batch: 3, cIn: 256, h: 8, w: 8, cOut: 256, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)))
    }

    func testStrideOneDataGradientIsTheFlippedForwardConvolution() {
        // 40 input channels, 18 x 5 x 3 rows of the flipped columns: gy convolved with the
        // flipped weight, padded by k - 1 - pad (2, 1; then 4, 4; then 1, 2 in two groups)
        check(geometry(batch: 2, cIn: 40, h: 12, w: 37, cOut: 18, kh: 5, kw: 3, pad: (2, 1)))
        check(geometry(batch: 1, cIn: 33, h: 20, w: 18, cOut: 11, kh: 5, kw: 5))
        check(geometry(batch: 1, cIn: 64, h: 17, w: 16, cOut: 40, kh: 3, kw: 5, pad: (1, 2), groups: 2))
    }

    func testFewOutputPositionsUseOnePassOverTheWeight() {
        // a U-Net's innermost levels: 1-16 output positions in the batch, a weight of 256k+
        check(geometry(batch: 2, cIn: 128, h: 4, w: 4, cOut: 128, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)))
        // 12 positions: forward and data gradient here, the weight gradient by the GEMM
        check(geometry(batch: 3, cIn: 128, h: 4, w: 4, cOut: 128, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)))
        check(geometry(batch: 1, cIn: 128, h: 2, w: 2, cOut: 160, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)))
        // rows (129 x 3 x 3 = 1161) not a multiple of the register blocks
        check(geometry(batch: 1, cIn: 129, h: 3, w: 3, cOut: 256, kh: 3, kw: 3, stride: (2, 2), pad: (1, 1)))
    }

    func testImageScaleRoutesGiveIdenticalResultsForAnyThreadCount() {
        for g in [geometry(batch: 1, cIn: 176, h: 18, w: 18, cOut: 24, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)),
                  geometry(batch: 3, cIn: 176, h: 16, w: 16, cOut: 24, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)),
                  geometry(batch: 3, cIn: 256, h: 8, w: 8, cOut: 256, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)),
                  geometry(batch: 2, cIn: 128, h: 4, w: 4, cOut: 128, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)),
                  geometry(batch: 4, cIn: 128, h: 4, w: 4, cOut: 128, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)),
                  geometry(batch: 1, cIn: 11, h: 80, w: 75, cOut: 6, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)),
                  geometry(batch: 2, cIn: 104, h: 12, w: 37, cOut: 6, kh: 5, kw: 5, pad: (2, 2)),
                  geometry(batch: 2, cIn: 40, h: 12, w: 37, cOut: 18, kh: 5, kw: 3, pad: (2, 1)),
                  geometry(batch: 1, cIn: 16, h: 34, w: 70, cOut: 32, kh: 4, kw: 4, stride: (2, 2), pad: (1, 1)),
                  geometry(batch: 4, cIn: 17, h: 51, w: 49, cOut: 16, kh: 4, kw: 4, stride: (2, 2), pad: (0, 2)),
                  // the direct kernels (a generator's 7x7 output layer), split over channels and images
                  geometry(batch: 2, cIn: 16, h: 48, w: 45, cOut: 3, kh: 7, kw: 7, pad: (3, 3))] {
            var rng = LCG(7)
            let x = rng.array(g.inputShape.reduce(1, *)), w = rng.array(g.weightShape.reduce(1, *))
            let gy = rng.array(g.outputShape.reduce(1, *))
            let one = withThreads(1) { run(g, x, w, gy) }
            let two = withThreads(2) { run(g, x, w, gy) }
            XCTAssertEqual(one.0, two.0, "forward \(g)")
            XCTAssertEqual(one.1, two.1, "backward data \(g)")
            XCTAssertEqual(one.2, two.2, "backward weight \(g)")
        }
    }

    func testThreadCountsGiveIdenticalResults() {
        // big enough that tiles run in parallel and backward-weight uses several partial sums
        let g = geometry(batch: 16, cIn: 16, h: 16, w: 16, cOut: 16, kh: 3, kw: 3, pad: (1, 1))
        var rng = LCG(5)
        let x = rng.array(g.inputShape.reduce(1, *)), w = rng.array(g.weightShape.reduce(1, *))
        let gy = rng.array(g.outputShape.reduce(1, *))
        let one = withThreads(1) { run(g, x, w, gy) }
        let two = withThreads(2) { run(g, x, w, gy) }
        XCTAssertEqual(one.0, two.0)
        XCTAssertEqual(one.1, two.1)
        XCTAssertEqual(one.2, two.2)
        let ref = DirectConv(g: g)
        assertClose(two.2, ref.backwardWeight(x, gy), tol: 1e-4, "backward weight, partial sums")
    }
}
