import XCTest
import Autograd
@testable import NN

/// Initialisers match PyTorch's in distribution: bounds, means and variances.
final class InitializationTests: XCTestCase {
    private func stats(_ t: Tensor) -> (mean: Float, std: Float, min: Float, max: Float) {
        let x = t.scalars
        let mean = x.reduce(0, +) / Float(x.count)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(x.count)
        return (mean, variance.squareRoot(), x.min()!, x.max()!)
    }

    func testLinearDefaultIsUniformOverSqrtFanIn() {
        let l = Linear(400, 300, generator: RandomGenerator(seed: 1))
        let bound = 1 / Float(400).squareRoot()
        let w = stats(l.weight)
        XCTAssertLessThanOrEqual(w.max, bound)
        XCTAssertGreaterThanOrEqual(w.min, -bound)
        XCTAssertEqual(w.std, bound / Float(3).squareRoot(), accuracy: bound * 0.02)
        XCTAssertEqual(w.mean, 0, accuracy: bound * 0.02)
        let b = stats(l.bias!)
        XCTAssertLessThanOrEqual(b.max, bound)
        XCTAssertGreaterThan(b.max, bound * 0.9)
    }

    func testConvolutionFans() {
        let c = Conv2d(16, 32, kernelSize: 3, generator: RandomGenerator(seed: 2))
        XCTAssertLessThanOrEqual(stats(c.weight).max, 1 / Float(16 * 9).squareRoot())
        // ConvTranspose2d's weight is [in, out, kh, kw]; PyTorch takes fan_in from dim 1.
        let t = ConvTranspose2d(64, 8, kernelSize: 4, generator: RandomGenerator(seed: 3))
        XCTAssertEqual(Init.fans(t.weight.shape).fanIn, 8 * 16)
        let bound = 1 / Float(8 * 16).squareRoot()
        XCTAssertLessThanOrEqual(stats(t.weight).max, bound)
        XCTAssertGreaterThan(stats(t.weight).max, bound * 0.95)
        XCTAssertLessThanOrEqual(stats(t.bias!).max, bound)
    }

    func testNormLayersStartAtOnesAndZeros() {
        let bn = BatchNorm2d(4)
        XCTAssertEqual(bn.weight?.scalars, [1, 1, 1, 1])
        XCTAssertEqual(bn.bias?.scalars, [0, 0, 0, 0])
        XCTAssertEqual(bn.runningVar?.scalars, [1, 1, 1, 1])
        XCTAssertEqual(bn.numBatchesTracked?.item(), 0)
        XCTAssertEqual(LayerNorm(3).weight?.scalars, [1, 1, 1])
        XCTAssertNil(InstanceNorm2d(3).weight)
        XCTAssertEqual(PReLU().weight.scalars, [0.25])
    }

    func testEmbeddingIsStandardNormal() {
        let s = stats(Embedding(100, 100, generator: RandomGenerator(seed: 4)).weight)
        XCTAssertEqual(s.mean, 0, accuracy: 0.03)
        XCTAssertEqual(s.std, 1, accuracy: 0.03)
    }

    func testXavierAndKaimingHelpers() {
        let g = RandomGenerator(seed: 5)
        let t = Tensor.zeros([200, 300])
        Init.xavierUniform(t, generator: g)
        XCTAssertLessThanOrEqual(stats(t).max, (6 / Float(500)).squareRoot())
        Init.xavierNormal(t, gain: 2, generator: g)
        XCTAssertEqual(stats(t).std, 2 * (2 / Float(500)).squareRoot(), accuracy: 0.003)
        Init.kaimingNormal(t, nonlinearity: .relu, generator: g)
        XCTAssertEqual(stats(t).std, (2 / Float(300)).squareRoot(), accuracy: 0.002)
        Init.kaimingUniform(t, mode: .fanOut, nonlinearity: .relu, generator: g)
        XCTAssertLessThanOrEqual(stats(t).max, (6 / Float(200)).squareRoot())
        XCTAssertEqual(Init.gain(.leakyRelu(0.2)), (2 / 1.04 as Float).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(Init.gain(.tanh), 5.0 / 3, accuracy: 1e-6)
    }

    func testWeightsInitNormalAsTheGANPapers() {
        let model = Sequential(Conv2d(64, 64, kernelSize: 3), BatchNorm2d(64), ConvTranspose2d(64, 64, kernelSize: 3), BatchNorm1d(64), Linear(10, 10))
        let linearBefore = (model[4] as! Linear).weight.scalars
        model.apply { weightsInitNormal($0, generator: RandomGenerator(seed: 6)) }
        let conv = stats((model[0] as! Conv2d).weight)
        XCTAssertEqual(conv.mean, 0, accuracy: 0.002)
        XCTAssertEqual(conv.std, 0.02, accuracy: 0.001)
        XCTAssertEqual(stats((model[2] as! ConvTranspose2d).weight).std, 0.02, accuracy: 0.001)
        let bn = stats((model[1] as! BatchNorm2d).weight!)
        XCTAssertEqual(bn.mean, 1, accuracy: 0.01)
        XCTAssertEqual(bn.std, 0.02, accuracy: 0.006)
        XCTAssertEqual((model[1] as! BatchNorm2d).bias?.scalars, Array(repeating: 0, count: 64))
        XCTAssertEqual((model[3] as! BatchNorm1d).weight?.scalars, Array(repeating: 1, count: 64))  // only BatchNorm2d, as the reference
        XCTAssertEqual((model[4] as! Linear).weight.scalars, linearBefore)
        model.apply(weightsInitNormal)  // the one-argument form, as `model.apply(weights_init_normal)`
    }

    func testSeededDefaultGeneratorIsReproducible() {
        DefaultGenerator.seed(42)
        let a = Linear(3, 3).weight.scalars
        DefaultGenerator.seed(42)
        XCTAssertEqual(Linear(3, 3).weight.scalars, a)
    }
}
