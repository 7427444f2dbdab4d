import XCTest
import Foundation
import Autograd
@testable import NN

final class OptimizerTests: XCTestCase {
    /// Gradient of sum(sin(3p) + p^2), as the fixture script uses.
    private func setGradient(_ p: Tensor) {
        p.grad = Tensor(shape: p.shape, scalars: p.scalars.map { 3 * Foundation.cos(3 * $0) + 2 * $0 })
    }

    func testVariantsMatchTorch() throws {
        let f = try Fixture.load("optimizers")
        let variants: [String: (Tensor) -> Optimizer] = [
            "adam_weight_decay": { Adam(parameters: [$0], learningRate: 0.05, betas: (0.8, 0.9), eps: 1e-6, weightDecay: 0.1) },
            "adam_amsgrad": { Adam(parameters: [$0], learningRate: 0.05, amsgrad: true) },
            "rmsprop_centered_momentum": { RMSprop(parameters: [$0], learningRate: 0.01, alpha: 0.9, eps: 1e-6, weightDecay: 0.1, momentum: 0.5, centered: true) },
            "sgd_momentum_dampening": { SGD(parameters: [$0], learningRate: 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.01) },
            "sgd_nesterov": { SGD(parameters: [$0], learningRate: 0.1, momentum: 0.9, nesterov: true) },
        ]
        XCTAssertEqual(Set(f.names).subtracting(["start"]), Set(variants.keys))
        for (name, make) in variants {
            let p = f["start"]!.copy().requiringGrad()
            let opt = make(p)
            for _ in 0..<5 {
                opt.zeroGrad()
                setGradient(p)
                opt.step()
            }
            assertClose(p, f[name], tolerance: 1e-5, name)
        }
    }

    func testSGDMomentumByHand() {
        let p = Tensor([1]).requiringGrad()
        let opt = SGD(parameters: [p], learningRate: 0.1, momentum: 0.9)
        p.grad = Tensor([0.5])
        opt.step()  // buffer = g = 0.5
        XCTAssertEqual(p.item(), 0.95, accuracy: 1e-7)
        opt.step()  // buffer = 0.9 * 0.5 + 0.5
        XCTAssertEqual(p.item(), 0.855, accuracy: 1e-6)
    }

    func testFirstAdamStepIsLearningRateTimesSign() {
        let p = Tensor([1, 1]).requiringGrad()
        p.grad = Tensor([0.5, -3])
        Adam(parameters: [p], learningRate: 0.1).step()
        XCTAssertEqual(p.scalars[0], 0.9, accuracy: 1e-6)
        XCTAssertEqual(p.scalars[1], 1.1, accuracy: 1e-6)
    }

    func testParametersWithoutGradientAreSkipped() {
        let a = Tensor([1]).requiringGrad(), b = Tensor([1]).requiringGrad()
        let opt = Adam(parameters: [a, b, a], learningRate: 0.1)
        XCTAssertEqual(opt.parameters.count, 2)  // shared tensors once
        a.grad = Tensor([1])
        opt.step()
        XCTAssertEqual(b.item(), 1)
        XCTAssertEqual(opt.steps, [1, 0])
        opt.zeroGrad()
        XCTAssertNil(a.grad)
    }

    func testStateSaveAndRestoreResumesExactly() throws {
        for make in [{ Adam(parameters: $0, learningRate: 0.05, amsgrad: true) as Optimizer },
                     { RMSprop(parameters: $0, momentum: 0.3, centered: true) },
                     { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9) }] {
            let start = Tensor(shape: [2, 2], scalars: [0.3, -1, 2, 0.1])
            let p = start.copy().requiringGrad()
            let opt = make([p])
            for _ in 0..<2 { setGradient(p); opt.step() }
            let path = NSTemporaryDirectory() + "nn-opt-\(UUID().uuidString).safetensors"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try opt.save(to: path)
            let savedParam = p.copy()
            for _ in 0..<2 { setGradient(p); opt.step() }

            let q = savedParam.requiringGrad()
            let resumed = make([q])
            try resumed.load(from: path)
            XCTAssertEqual(resumed.steps, [2])
            for _ in 0..<2 { setGradient(q); resumed.step() }
            XCTAssertEqual(q.scalars, p.scalars, "\(opt.kind)")
        }
    }

    func testMomentsTakeBuffersOfTheirOwnSize() {
        // Adam's moments live for the whole run: recycled buffers of a larger size class,
        // which a step's freed activations leave cached, would waste the difference for good.
        MemoryStats.trimPool()
        let p = Tensor.zeros([4 << 18]).requiringGrad()          // 4 MiB
        p.grad = Tensor.full([4 << 18], 1)
        do { _ = (0..<2).map { _ in Tensor.zeros([5 << 18]) } }  // two 5 MiB buffers, cached
        let live = MemoryStats.liveTensorBytes
        let adam = Adam(parameters: [p], learningRate: 0.1)
        adam.step()
        XCTAssertEqual(MemoryStats.liveTensorBytes - live, 2 * (4 << 20), "exp_avg and exp_avg_sq, 4 MiB each")
        MemoryStats.trimPool()
    }

    func testLoadingRejectsOtherOptimisersState() {
        let p = Tensor([1]).requiringGrad()
        let adam = Adam(parameters: [p])
        p.grad = Tensor([1])
        adam.step()
        XCTAssertThrowsError(try SGD(parameters: [p], learningRate: 0.1).loadStateDict(adam.stateDict()))
        XCTAssertThrowsError(try Adam(parameters: [p, Tensor([2]).requiringGrad()]).loadStateDict(adam.stateDict()))
    }

    func testStepSchedule() {
        let opt = SGD(parameters: [], learningRate: 1)
        let schedule = StepLR(opt, stepSize: 2, gamma: 0.5)
        var rates: [Float] = []
        for _ in 0..<6 { rates.append(opt.learningRate); schedule.step() }
        XCTAssertEqual(rates, [1, 1, 0.5, 0.5, 0.25, 0.25])
    }

    func testCycleGANLinearDecay() {
        let opt = Adam(parameters: [], learningRate: 0.0002)
        let schedule = LambdaLR(opt, factor: LambdaLR.linearDecay(epochs: 4, decayStartEpoch: 2))
        var rates: [Float] = []
        for _ in 0..<5 { rates.append(opt.learningRate); schedule.step() }
        XCTAssertEqual(rates, [0.0002, 0.0002, 0.0002, 0.0001, 0])
        schedule.lastEpoch = 1  // resume
        XCTAssertEqual(opt.learningRate, 0.0002)
    }

    func testWeightClipping() {
        let p = Tensor([-0.5, 0.001, 0.3])
        clampInPlace([p], to: -0.01...0.01)
        XCTAssertEqual(p.scalars, [-0.01, 0.001, 0.01])
    }

    /// RMSprop's clampAfterStep gives bitwise the numbers of a step then clampInPlace (WGAN's
    /// critic), through step() and through consume during backward, on the fused C path and
    /// on the Swift path (momentum), and it does clip.
    func testRMSpropClampAfterStepEqualsStepThenClamp() throws {
        for momentum in [Float(0), 0.5] {
            func run(fused: Bool, consuming: Bool) throws -> [[Float]] {
                let net = Linear(8, 4, generator: RandomGenerator(seed: 3))
                let opt = RMSprop(parameters: net.parameters(), learningRate: 0.01, momentum: momentum)
                if fused { opt.clampAfterStep = -0.2...0.2 }
                for step in 0..<3 {
                    let loss = net(Tensor.normal([5, 8], generator: RandomGenerator(seed: UInt64(10 + step)))).square().mean()
                    opt.zeroGrad()
                    if consuming {
                        try loss.backward(consumingLeafGradients: { p, g in opt.consume(p, gradient: g) })
                    } else {
                        try loss.backward()
                    }
                    opt.step()
                    if !fused { clampInPlace(net.parameters(), to: -0.2...0.2) }
                }
                return net.parameters().map(\.scalars)
            }
            let reference = try run(fused: false, consuming: false)
            XCTAssertEqual(try run(fused: true, consuming: false), reference, "momentum \(momentum)")
            XCTAssertEqual(try run(fused: true, consuming: true), reference, "momentum \(momentum)")
            let values = reference.flatMap { $0 }
            XCTAssertTrue(values.contains(0.2) || values.contains(-0.2))
            XCTAssertTrue(values.contains { Swift.abs($0) < 0.2 })
        }
    }

    /// Updating each parameter as soon as its gradient is complete, during the backward pass,
    /// gives bitwise the results of backward() then step(): with a weight used twice, a
    /// gradient penalty whose graph uses the weights again, a leaf outside the optimiser
    /// (its gradient still lands in .grad) and a parameter without a gradient (not stepped).
    func testConsumingGradientsDuringBackwardMatchesStepAfterwards() throws {
        for makeOptimizer in [{ Adam(parameters: $0, learningRate: 0.01, betas: (0.5, 0.999), weightDecay: 0.01) as Optimizer },
                              { RMSprop(parameters: $0, learningRate: 0.01) as Optimizer }] {
            func run(consuming: Bool) throws -> ([[Float]], [Int], [Float]) {
                let rng = RandomGenerator(seed: 7)
                let first = Linear(6, 5, generator: rng), second = Linear(5, 1, generator: rng)
                let unused = Tensor.zeros([3]).requiringGrad()
                let parameters = first.parameters() + second.parameters() + [unused]
                let opt = makeOptimizer(parameters)
                var inputGrad: [Float] = []
                for step in 0..<3 {
                    let x = Tensor.normal([4, 6], generator: RandomGenerator(seed: UInt64(step))).requiringGrad()
                    // first's weight is used twice; the penalty differentiates through both nets.
                    let h = (first(x).tanh() + first(x * 0.5)).tanh()
                    let out = second(h)
                    let g = try Autograd.grad(of: [out], withRespectTo: [x], seeds: [Tensor.ones(out.shape)], createGraph: true)[0]!
                    let loss = out.mean() + 0.1 * g.square().sum()
                    opt.zeroGrad()
                    x.grad = nil
                    if consuming {
                        try loss.backward(consumingLeafGradients: { p, grad in opt.consume(p, gradient: grad) })
                    } else {
                        try loss.backward()
                    }
                    opt.step()
                    inputGrad = x.grad?.scalars ?? []
                }
                return (parameters.map(\.scalars), opt.steps, inputGrad)
            }
            let (a, stepsA, xGradA) = try run(consuming: false), (b, stepsB, xGradB) = try run(consuming: true)
            XCTAssertEqual(a, b)
            XCTAssertEqual(stepsA, [3, 3, 3, 3, 0])
            XCTAssertEqual(stepsB, stepsA)
            XCTAssertFalse(xGradA.isEmpty)
            XCTAssertEqual(xGradB, xGradA)
        }
    }
}
