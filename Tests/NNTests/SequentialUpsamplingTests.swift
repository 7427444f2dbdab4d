import XCTest
import Autograd
@testable import NN

/// Sequential runs a nearest 2x Upsample (and a ZeroPad2d) before a Conv2d as one
/// convolution at the input's resolution where that is cheaper: the same outputs and
/// gradients as the layers one by one, and the same state-dict names.
final class SequentialUpsamplingTests: XCTestCase {
    func testFoldedLayersMatchTheLayersOneByOne() throws {
        let rng = RandomGenerator(seed: 5)
        let munitUp = Sequential(Upsample(scaleFactor: 2), Conv2d(6, 4, kernelSize: 5, stride: 1, padding: 2, generator: rng), ReLU())
        let pix2pixOut = Sequential(Upsample(scaleFactor: 2), ZeroPad2d(Padding2d(left: 1, right: 0, top: 1, bottom: 0)),
                                    Conv2d(6, 3, kernelSize: 4, padding: 1, generator: rng), Tanh())
        let wideUp = Sequential(Upsample(scaleFactor: 2), Conv2d(6, 5, kernelSize: 7, stride: 1, padding: 3, generator: rng),
                                InstanceNorm2d(5), ReLU())
        for (name, model) in [("5x5", munitUp), ("padded 4x4", pix2pixOut), ("7x7", wideUp)] {
            let x = Tensor.uniform([2, 6, 5, 7], low: -1, high: 1, generator: rng).requiringGrad()
            let folded = model(x)
            let oneByOne = model.layers.reduce(x) { h, layer in layer(h) }
            assertClose(folded, oneByOne, tolerance: 1e-5, "\(name) forward")
            let seed = Tensor.uniform(folded.shape, low: -1, high: 1, generator: rng)
            let conv = try XCTUnwrap(model.layers.compactMap { $0 as? Conv2d }.first)
            let inputs = [x, conv.weight, try XCTUnwrap(conv.bias)]
            let got = try Autograd.grad(of: [(folded * seed).sum()], withRespectTo: inputs)
            let expected = try Autograd.grad(of: [(oneByOne * seed).sum()], withRespectTo: inputs)
            for i in 0..<3 { assertClose(got[i], expected[i], tolerance: 1e-5, "\(name) gradient \(i)") }
        }
        XCTAssertEqual(munitUp.stateDict().names.sorted(), ["1.bias", "1.weight"])
    }
}
