import XCTest
@testable import Autograd

/// The autograd contract: accumulation, graph freeing, errors, no-grad, detach, non-leaf
/// inputs, and that a backward without createGraph records nothing.
final class AutogradBehaviourTests: XCTestCase {
    func testGradientsAccumulateUntilZeroed() throws {
        let a = Tensor([1, 2, 3], requiresGrad: true)
        try (a * a).sum().backward()
        XCTAssertEqual(a.grad?.scalars, [2, 4, 6])
        try (a * 3).sum().backward()
        XCTAssertEqual(a.grad?.scalars, [5, 7, 9])
        a.grad = nil
        try a.sum().backward()
        XCTAssertEqual(a.grad?.scalars, [1, 1, 1])
    }

    func testSharedSubexpressionAndDiamond() throws {
        let x = Tensor([0.5, -1], requiresGrad: true)
        let y = x.exp()
        try (y * y + y).sum().backward()  // d/dx = 2 e^{2x} + e^x
        let e = x.scalars.map { Foundation.exp($0) }
        XCTAssertEqual(x.grad!.scalars[0], 2 * e[0] * e[0] + e[0], accuracy: 1e-5)
        XCTAssertEqual(x.grad!.scalars[1], 2 * e[1] * e[1] + e[1], accuracy: 1e-5)
    }

    func testBackwardTwiceOnFreedGraphFails() throws {
        let a = Tensor([1, 2], requiresGrad: true)
        let loss = (a * a).sum()
        try loss.backward()
        XCTAssertThrowsError(try loss.backward()) { error in
            guard case AutogradError.graphFreed = error else { return XCTFail("wrong error \(error)") }
            XCTAssertTrue("\(error)".contains("second time"))
        }
    }

    func testRetainGraphAllowsSecondBackward() throws {
        let a = Tensor([1, 2], requiresGrad: true)
        let loss = (a * a).sum()
        try loss.backward(retainGraph: true)
        try loss.backward()
        XCTAssertEqual(a.grad?.scalars, [4, 8])
    }

    func testNonScalarNeedsSeed() throws {
        let a = Tensor([1, 2], requiresGrad: true)
        XCTAssertThrowsError(try (a * 2).backward()) { error in
            XCTAssertEqual(error as? AutogradError, .nonScalarWithoutSeed(shape: [2]))
        }
        try (a * 2).backward(seed: Tensor([1, 10]))
        XCTAssertEqual(a.grad?.scalars, [2, 20])
        XCTAssertThrowsError(try (a * 2).backward(seed: Tensor([1, 2, 3]))) { error in
            XCTAssertEqual(error as? AutogradError, .seedShapeMismatch(output: [2], seed: [3]))
        }
    }

    func testOutputWithoutGradFails() {
        XCTAssertThrowsError(try Tensor([1]).sum().backward()) { error in
            XCTAssertEqual(error as? AutogradError, .doesNotRequireGrad(index: 0))
        }
    }

    func testNoGradScopeRecordsNothing() {
        let a = Tensor([1, 2], requiresGrad: true)
        let b = withoutGrad { a * 2 + 1 }
        XCTAssertFalse(b.requiresGrad)
        XCTAssertNil(b.gradFnName)
        XCTAssertTrue(GradMode.isEnabled)
        let c = a * 2
        XCTAssertEqual(c.gradFnName, "mul_scalar")
    }

    func testDetachCutsTheGraph() throws {
        let a = Tensor([3], requiresGrad: true)
        let loss = (a * a.detach()).sum()
        try loss.backward()
        XCTAssertEqual(a.grad?.scalars, [3])
    }

    func testGradWithoutCreateGraphRecordsNothing() throws {
        let x = Tensor([0.3, -0.2], requiresGrad: true)
        let y = (x.tanh() * x).sum()
        let g = try Autograd.grad(of: [y], withRespectTo: [x])[0]!
        XCTAssertFalse(g.requiresGrad)
        XCTAssertNil(g.gradFnName)
        XCTAssertNil(x.grad, "grad(of:) returns gradients without accumulating them")
    }

    func testGradOfGradient() throws {
        // y = x^3: dy/dx = 3x^2, d2y/dx2 = 6x.
        let x = Tensor([2, -1], requiresGrad: true)
        let y = x.pow(3).sum()
        let g = try Autograd.grad(of: [y], withRespectTo: [x], createGraph: true)[0]!
        XCTAssertEqual(g.scalars, [12, 3])
        XCTAssertTrue(g.requiresGrad)
        try g.sum().backward()
        XCTAssertEqual(x.grad?.scalars, [12, -6])
    }

    func testGradWithRespectToNonLeafAndUnused() throws {
        let x = Tensor([1, 2], requiresGrad: true)
        let h = x * 3
        let y = (h * h).sum()
        let unused = Tensor([5], requiresGrad: true)
        let r = try Autograd.grad(of: [y], withRespectTo: [h, x, unused])
        XCTAssertEqual(r[0]?.scalars, [6, 12])
        XCTAssertEqual(r[1]?.scalars, [18, 36])
        XCTAssertNil(r[2])
        let y2 = (x * 2).sum()
        XCTAssertThrowsError(try Autograd.grad(of: [y2], withRespectTo: [unused], allowUnused: false)) { error in
            XCTAssertEqual(error as? AutogradError, .inputNotReached(index: 0))
        }
    }

    func testMultipleOutputsWithSeeds() throws {
        let x = Tensor([1, 2], requiresGrad: true)
        let r = try Autograd.grad(of: [x * 2, x * x], withRespectTo: [x], seeds: [Tensor([1, 1]), Tensor([1, 0])])
        XCTAssertEqual(r[0]?.scalars, [4, 2])
    }

    func testLeafGradIsNotAliasedWithTheGraph() throws {
        // reshape's backward shares storage; the first accumulated gradient must be a copy.
        let seed = Tensor([1, 1, 1, 1])
        let x = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4], requiresGrad: true)
        try x.reshape([4]).backward(seed: seed)
        try x.reshape([4]).backward(seed: seed)
        XCTAssertEqual(seed.scalars, [1, 1, 1, 1])
        XCTAssertEqual(x.grad?.scalars, [2, 2, 2, 2])
    }

    func testOneGradientGivenToTwoLeavesIsNotShared() throws {
        // add's backward hands the same tensor to both inputs; each leaf must get its own.
        let a = Tensor([1, 2], requiresGrad: true), b = Tensor([3, 4], requiresGrad: true)
        try (a + b).backward(seed: Tensor([1, 1]))
        try (a * 5).sum().backward()
        XCTAssertEqual(a.grad?.scalars, [6, 6])
        XCTAssertEqual(b.grad?.scalars, [1, 1])
        XCTAssertFalse(a.grad!.storage === b.grad!.storage)
    }

    func testAFreshGradientBecomesTheLeafGradWithoutACopy() throws {
        // A matmul's weight gradient belongs to the pass alone: it is adopted, and later
        // accumulation into it stays correct.
        let w = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4], requiresGrad: true)
        let x = Tensor(shape: [1, 2], scalars: [1, 1])
        try linear(x, weight: w).sum().backward()
        XCTAssertEqual(w.grad?.scalars, [1, 1, 1, 1])
        let first = w.grad!
        try linear(x * 2, weight: w).sum().backward()
        XCTAssertEqual(w.grad?.scalars, [3, 3, 3, 3])
        XCTAssertTrue(w.grad === first, "the second gradient is added in place into the adopted one")
    }

    func testAWeightUsedTwiceSumsItsGradientInPlace() throws {
        // A critic's weight gets one gradient from its scores and one from its gradient
        // penalty: the second is added into the first, which only this pass holds, so the
        // weight-sized sum needs no third buffer. The numbers are those of a + b.
        // The pool counts a buffer's capacity, and a request may take a cached buffer up to
        // twice its size: an earlier test that leaves 8 MB buffers cached (SampleScoringTests
        // in a full run) made both 4 MB gradients count 8 MB. An empty pool measures the pass.
        MemoryStats.trimPool()
        let w = Tensor.zeros([1024, 1024], requiresGrad: true)
        let x = Tensor.ones([1, 1024])
        let y = linear(x, weight: w).sum() + linear(x * 2, weight: w).sum()
        let before = MemoryStats.liveTensorBytes, weightBytes = w.count * 4
        MemoryStats.resetPeakTensorBytes()
        try y.backward()
        XCTAssertLessThan(MemoryStats.peakTensorBytes - before, 2 * weightBytes + weightBytes / 2)
        XCTAssertEqual(w.grad?.scalars.allSatisfy { $0 == 3 }, true)

        // A gradient that another tensor shares is never written into: add's backward gives
        // the same tensor to both of its inputs, here one leaf twice.
        let a = Tensor([1, 2], requiresGrad: true)
        let seed = Tensor([1, 1])
        try (a + a).backward(seed: seed)
        XCTAssertEqual(a.grad?.scalars, [2, 2])
        XCTAssertEqual(seed.scalars, [1, 1])
        // And one that a view shares (reshape's backward) neither.
        let b = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4], requiresGrad: true)
        let g = Tensor([1, 1, 1, 1])
        try (b.reshape([4]) + b.reshape([4]) * 3).backward(seed: g)
        XCTAssertEqual(b.grad?.scalars, [4, 4, 4, 4])
        XCTAssertEqual(g.scalars, [1, 1, 1, 1])
    }

    func testSavedTensorsAreReleasedDuringBackward() throws {
        // A chain of 8 tanh layers saves 8 outputs of 256 KB. A probe at the bottom of the
        // chain, whose backward runs last, sees them all released already.
        let tensorBytes = 256 * 256 * 4
        let x = Tensor.ones([256, 256], requiresGrad: true)
        let baseline = MemoryStats.liveTensorBytes
        var liveAtProbe = 0
        let probe = x.copy().recorded("probe", [x]) { g in
            liveAtProbe = MemoryStats.liveTensorBytes
            return [g]
        }
        var y = probe
        for _ in 0..<8 { y = (y * 1.5).tanh() }
        try y.sum().backward()
        XCTAssertNotNil(x.grad)
        // Still live then: probe and y (held here), the gradient reaching the probe and at
        // most one more in flight; the 8 saved outputs would add 2 MB.
        XCTAssertLessThanOrEqual(liveAtProbe - baseline, 5 * tensorBytes)
    }

    /// grad(of:) and backward(only:) tell each op which inputs need a gradient (so a
    /// penalty's first-order pass skips weight gradients); leaves outside `only` get none.
    func testPrunedPassesTellOpsWhichInputsNeedGradients() throws {
        let x = Tensor([1, 2, 3]).requiringGrad(), w = Tensor([4, 5, 6]).requiringGrad()
        var seen: [[Bool]] = []
        func probe() -> Tensor {
            Tensor(shape: [3], scalars: zip(x.scalars, w.scalars).map(*)).recorded("probe", [x, w]) { g, needs in
                seen.append([needs[0], needs[1]])
                return [g * w, g * x]
            }
        }
        let gx = try Autograd.grad(of: [probe().sum()], withRespectTo: [x])[0]
        XCTAssertEqual(gx?.scalars, [4, 5, 6])
        XCTAssertEqual(seen.last, [true, false])
        try probe().sum().backward()
        XCTAssertEqual(seen.last, [true, true])
        x.grad = nil
        w.grad = nil
        try probe().sum().backward(only: [w], consumingLeafGradients: { _, _ in false })
        XCTAssertEqual(seen.last, [false, true])
        XCTAssertNil(x.grad)
        XCTAssertEqual(w.grad?.scalars, [1, 2, 3])
    }

    func testDeepGraphDoesNotOverflowTheStack() throws {
        let x = Tensor([1], requiresGrad: true)
        var y = x
        for _ in 0..<20000 { y = y + 0 }
        try y.sum().backward()
        XCTAssertEqual(x.grad?.scalars, [1])
    }

    func testShapeErrorsNameTheOpAndShapes() {
        XCTAssertThrowsError(try Shape.broadcast([2, 3], [4], op: "add")) { error in
            XCTAssertEqual("\(error)", "add: shapes [2, 3] and [4] cannot be broadcast (dimension 1: 3 vs 4)")
        }
        XCTAssertThrowsError(try Shape.infer([5, -1], count: 12, from: [3, 4], op: "reshape")) { error in
            XCTAssertEqual("\(error)", "reshape: cannot view [3, 4] (12 elements) as [5, -1]")
        }
        XCTAssertThrowsError(try Shape.normalize(dim: 3, rank: 2, op: "sum")) { error in
            XCTAssertEqual("\(error)", "sum: dimension 3 is out of range for a tensor of rank 2")
        }
        XCTAssertEqual(try Shape.broadcast([2, 1, 3], [4, 1], op: "add"), [2, 4, 3])
        XCTAssertEqual(try Shape.infer([-1, 2], count: 6, from: [6], op: "reshape"), [3, 2])
    }
}
