import XCTest
import Autograd

/// The optimisers' in-place updates, two steps each on four elements. The expected numbers
/// are what NN's Adam, RMSprop and SGD gave (bit for bit) before they moved onto these steps.
final class OptimizerStepTests: XCTestCase {
    let start: [Float] = [0.5, -1.25, 2.0, 0.1]
    let gradients: [[Float]] = [[0.3, -0.7, 0.05, 1.5], [0.075, -0.2, 0.4, -0.3]]

    /// A parameter and zeroed state buffers of its size; `update` runs once per gradient (step 1, 2).
    func twoSteps(buffers: Int, _ update: (Tensor, Tensor, [Tensor], Int) -> Void) -> (Tensor, [Tensor]) {
        let p = Tensor(start), state = (0..<buffers).map { _ in Tensor.zeros([4]) }
        for (k, g) in gradients.enumerated() { update(p, Tensor(g), state, k + 1) }
        return (p, state)
    }

    func testAdam() {
        let expected: [[Float]] = [[0.48127145, -1.2311044, 1.9805027, 0.08519611],
                                   [0.080800004, -0.1968, 0.1598, 0.1834], [0.012562604, 0.07175386, 0.04150511, 0.21367715]]
        let (p, s) = twoSteps(buffers: 2) { p, g, s, step in
            OptimizerStep.adam(parameter: p, gradient: g, expAvg: s[0], expAvgSq: s[1], step: step, learningRate: 0.01,
                               beta1: 0.8, beta2: 0.9, eps: 1e-6, weightDecay: 0.1)
        }
        XCTAssertEqual([p.scalars] + s.map(\.scalars), expected)
        // The fused step gives each tensor the same numbers, whatever else it updates.
        let (q, r) = twoSteps(buffers: 2) { p, g, s, step in
            var fused = FusedAdamStep()
            fused.append(parameter: p, gradient: g, expAvg: s[0], expAvgSq: s[1], step: step)
            fused.append(parameter: Tensor.ones([3]), gradient: Tensor.ones([3]), expAvg: Tensor.zeros([3]),
                         expAvgSq: Tensor.zeros([3]), step: 1)
            fused.run(learningRate: 0.01, beta1: 0.8, beta2: 0.9, eps: 1e-6, weightDecay: 0.1)
        }
        XCTAssertEqual([q.scalars] + r.map(\.scalars), expected)
    }

    func testAdamAMSGrad() {
        let (p, s) = twoSteps(buffers: 3) { p, g, s, step in
            OptimizerStep.adam(parameter: p, gradient: g, expAvg: s[0], expAvgSq: s[1], maxExpAvgSq: s[2], step: step,
                               learningRate: 0.01, beta1: 0.8, beta2: 0.9, eps: 1e-6, weightDecay: 0.1)
        }
        XCTAssertEqual(p.scalars, [0.48127145, -1.2311044, 1.9805027, 0.085349545])
        XCTAssertEqual(s[0].scalars, [0.080800004, -0.1968, 0.1598, 0.1834])
        XCTAssertEqual(s[1].scalars, [0.012562604, 0.07175386, 0.04150511, 0.21367715])
        XCTAssertEqual(s[2].scalars, [0.012562604, 0.07175386, 0.04150511, 0.22801006])
    }

    func testRMSpropClamped() {
        let expected: [[Float]] = [[0.09816584, -0.5003069, 0.17093495, -0.14695331],
                                   [0.011896939, 0.06801626, 0.025427505, 0.21555316]]
        let (p, s) = twoSteps(buffers: 1) { p, g, s, _ in
            OptimizerStep.rmsprop(parameter: p, gradient: g, squareAvg: s[0], learningRate: 0.1, alpha: 0.9, eps: 1e-6,
                                  weightDecay: 0.1, clampTo: -0.6...0.45)
        }
        XCTAssertEqual([p.scalars, s[0].scalars], expected)
        let (q, r) = twoSteps(buffers: 1) { p, g, s, _ in
            var fused = FusedRMSpropStep()
            fused.append(parameter: p, gradient: g, squareAvg: s[0])
            fused.append(parameter: Tensor.ones([3]), gradient: Tensor.ones([3]), squareAvg: Tensor.zeros([3]))
            fused.run(learningRate: 0.1, alpha: 0.9, eps: 1e-6, weightDecay: 0.1, clampTo: -0.6...0.45)
        }
        XCTAssertEqual([q.scalars, r[0].scalars], expected)
    }

    func testRMSpropCentredWithMomentumClamped() {
        let (p, s) = twoSteps(buffers: 3) { p, g, s, _ in
            OptimizerStep.rmsprop(parameter: p, gradient: g, squareAvg: s[0], gradAvg: s[1], momentumBuffer: s[2],
                                  learningRate: 0.1, alpha: 0.9, eps: 1e-6, weightDecay: 0.1, momentum: 0.5, clampTo: -0.6...0.45)
        }
        XCTAssertEqual(p.scalars, [-0.090707034, -0.32534388, -0.024192125, -0.32857573])
        XCTAssertEqual(s[0].scalars, [0.011865287, 0.06801626, 0.025427505, 0.2156635])
        XCTAssertEqual(s[1].scalars, [0.04066671, -0.10025002, 0.06700002, 0.1035667])
        XCTAssertEqual(s[2].scalars, [2.5737689, -2.7465613, 4.741921, 0.9524317])
    }

    func testRMSpropWithMomentum() {
        let (p, s) = twoSteps(buffers: 2) { p, g, s, _ in
            OptimizerStep.rmsprop(parameter: p, gradient: g, squareAvg: s[0], momentumBuffer: s[1], learningRate: 0.1,
                                  alpha: 0.9, eps: 1e-6, weightDecay: 0, momentum: 0.5)
        }
        XCTAssertEqual(p.scalars, [-0.05491802, -0.6844688, 1.2116634, -0.30910793])
        XCTAssertEqual(s[0].scalars, [0.008662503, 0.04810001, 0.016225005, 0.21150005])
        XCTAssertEqual(s[1].scalars, [2.3869362, -2.4930487, 4.721288, 0.9288087])
    }

    func testSGD() {
        let (p, _) = twoSteps(buffers: 0) { p, g, _, _ in
            OptimizerStep.sgd(parameter: p, gradient: g, learningRate: 0.1, weightDecay: 0.01)
        }
        XCTAssertEqual(p.scalars, [0.4615305, -1.1575713, 1.951007, -0.020049904])
    }

    func testSGDMomentumWithDampening() {
        let (p, s) = twoSteps(buffers: 1) { p, g, s, step in
            OptimizerStep.sgd(parameter: p, gradient: g, momentumBuffer: s[0], firstMomentumStep: step == 1, learningRate: 0.1,
                              momentum: 0.9, dampening: 0.2, weightDecay: 0.01)
        }
        XCTAssertEqual(p.scalars, [0.4356744, -1.097682, 1.9531057, -0.16114993])
        XCTAssertEqual(s[0].scalars, [0.338256, -0.81068, 0.39894402, 1.1104993])
    }

    func testSGDNesterov() {
        let (p, s) = twoSteps(buffers: 1) { p, g, s, step in
            OptimizerStep.sgd(parameter: p, gradient: g, momentumBuffer: s[0], firstMomentumStep: step == 1, learningRate: 0.1,
                              momentum: 0.9, nesterov: true)
        }
        XCTAssertEqual(p.scalars, [0.40445, -1.0223, 1.91045, -0.2495])
        XCTAssertEqual(s[0].scalars, [0.34500003, -0.83, 0.445, 1.05])
    }
}
