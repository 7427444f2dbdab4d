import XCTest
@testable import Autograd

/// WorkCount: each pass of a convolution counts its direct FLOPs, a folded upsample-conv
/// those of the unfolded convolution it stands for, a linear layer its three products.
final class WorkCountTests: XCTestCase {
    let rng = RandomGenerator(seed: 5)

    /// FLOPs counted while `body` runs.
    func counted(_ body: () throws -> Void) rethrows -> Int {
        let before = WorkCount.flops
        try body()
        return WorkCount.flops - before
    }

    func testConvolutionCountsEachPassAsADirectConvolution() throws {
        // 2 images, 3 -> 4 channels, 3x3 stride 2 pad 1 on 7x6: 4x3 outputs, 27 products each.
        let x = randn([2, 3, 7, 6], rng), w = randn([4, 3, 3, 3], rng).requiringGrad(), b = randn([4], rng).requiringGrad()
        let perPass = 2 * 2 * 4 * (4 * 3) * 27
        XCTAssertEqual(counted { _ = conv2d(x, weight: w, bias: b, stride: 2, padding: 1) }, perPass)
        // Backward: the weight gradient only (x needs none), then both.
        XCTAssertEqual(try counted { _ = try Autograd.grad(of: [conv2d(x, weight: w, bias: b, stride: 2, padding: 1).sum()], withRespectTo: [w]) },
                       2 * perPass)
        let xg = x.requiringGrad()
        XCTAssertEqual(try counted { _ = try Autograd.grad(of: [conv2d(xg, weight: w, stride: 2, padding: 1).sum()], withRespectTo: [xg, w]) },
                       3 * perPass)
        // A transposed convolution is the same three passes of the convolution it transposes.
        let wt = randn([3, 4, 3, 3], rng).requiringGrad()
        XCTAssertEqual(try counted { _ = try Autograd.grad(of: [convTranspose2d(xg, weight: wt, stride: 2, padding: 1).sum()], withRespectTo: [xg, wt]) },
                       3 * 2 * 2 * 3 * (7 * 6) * (4 * 9))
    }

    func testAFoldedUpsampleConvolutionCountsAsTheUnfoldedOne() throws {
        // ccgan's output layer: 3x3 'same' to 3 channels after a 2x nearest upsampling.
        let x = randn([2, 5, 4, 6], rng).requiringGrad(), w = randn([3, 5, 3, 3], rng).requiringGrad(), b = randn([3], rng)
        let perPass = 2 * 2 * 3 * (8 * 12) * (5 * 9)
        let folded = try counted {
            let y = try XCTUnwrap(conv2dOfNearestUpsampled(x, weight: w, bias: b, left: 1, right: 1, top: 1, bottom: 1))
            _ = try Autograd.grad(of: [y.sum()], withRespectTo: [x, w])
        }
        let unfolded = try counted {
            let y = conv2d(upsample(x, scaleFactor: 2), weight: w, bias: b, padding: 1)
            _ = try Autograd.grad(of: [y.sum()], withRespectTo: [x, w])
        }
        XCTAssertEqual(folded, 3 * perPass)
        XCTAssertEqual(unfolded, 3 * perPass)
    }

    func testALinearLayerCountsItsThreeProducts() throws {
        let x = randn([4, 5], rng).requiringGrad(), w = randn([3, 5], rng).requiringGrad(), b = randn([3], rng).requiringGrad()
        XCTAssertEqual(try counted { _ = try Autograd.grad(of: [linear(x, weight: w, bias: b).sum()], withRespectTo: [x, w, b]) },
                       3 * 2 * 4 * 3 * 5)
        XCTAssertEqual(try counted { _ = try Autograd.grad(of: [Tensor.matmul(x, w, transB: true).sum()], withRespectTo: [w]) },
                       2 * 2 * 4 * 3 * 5)
    }
}
