import XCTest
import Autograd
@testable import NN

/// Batch norm and dropout behave differently in training and evaluation mode.
final class TrainEvalBehaviourTests: XCTestCase {
    func testBatchNormTracksStatisticsOnlyWhenTraining() {
        let bn = BatchNorm2d(2)
        let x = Tensor.normal([4, 2, 3, 3], mean: 3, std: 2, generator: RandomGenerator(seed: 1))
        _ = bn(x)
        XCTAssertEqual(bn.numBatchesTracked?.item(), 1)
        let afterTrain = bn.runningMean!.scalars
        XCTAssertNotEqual(afterTrain, [0, 0])
        bn.eval()
        let y = bn(x)
        XCTAssertEqual(bn.numBatchesTracked?.item(), 1)
        XCTAssertEqual(bn.runningMean!.scalars, afterTrain)
        // Eval uses running statistics: (x - rm) / sqrt(rv + eps).
        let expected = (x[0, 0, 0, 0] - bn.runningMean![0]) / (bn.runningVar![0] + 1e-5).squareRoot()
        XCTAssertEqual(y[0, 0, 0, 0], expected, accuracy: 1e-5)
    }

    func testBatchNormPositionalEpsQuirk() {
        XCTAssertEqual(BatchNorm2d(128, 0.8).eps, 0.8)
        XCTAssertEqual(BatchNorm2d(128, 0.8).momentum, 0.1)
        XCTAssertEqual(BatchNorm1d(256, 0.8).eps, 0.8)
        XCTAssertEqual(BatchNorm1d(256).eps, 1e-5)
    }

    /// One pass counted twice leaves exactly the running statistics of two identical passes
    /// (what wgan's reused generator pass relies on), with a fixed momentum and with the
    /// cumulative average (momentum nil), whose factor changes between the two updates.
    func testBatchNormCountingOnePassTwiceEqualsTwoPasses() {
        for momentum in [Float(0.1), nil] {
            let x = Tensor.normal([16, 5], mean: 2, std: 3, generator: RandomGenerator(seed: 9))
            let twice = BatchNorm1d(5, 0.8, momentum: momentum), once = BatchNorm1d(5, 0.8, momentum: momentum)
            for bn in [twice, once] { _ = bn(x * 0.5) }   // running statistics away from their start
            let y1 = twice(x), y2 = twice(x)
            once.updatesPerForward = 2
            let y = once(x)
            XCTAssertEqual(y.scalars, y1.scalars)
            XCTAssertEqual(y.scalars, y2.scalars)
            XCTAssertEqual(once.runningMean!.scalars, twice.runningMean!.scalars, "momentum \(String(describing: momentum))")
            XCTAssertEqual(once.runningVar!.scalars, twice.runningVar!.scalars, "momentum \(String(describing: momentum))")
            XCTAssertEqual(once.numBatchesTracked!.item(), 3)
            XCTAssertNotEqual(once.runningMean!.scalars, BatchNorm1d(5).runningMean!.scalars)
        }
    }

    func testBatchNormWithoutRunningStatsUsesBatchStatsInEval() {
        let bn = BatchNorm1d(3, trackRunningStats: false)
        XCTAssertTrue(bn.namedBuffers().isEmpty)
        bn.eval()
        let y = bn(Tensor.normal([8, 3], mean: 5, generator: RandomGenerator(seed: 2)))
        XCTAssertEqual(y.mean(dims: [0]).scalars.map { Swift.abs($0) }.max()!, 0, accuracy: 1e-5)
    }

    func testDropoutTrainingDropsAndScalesEvalIsIdentity() {
        let d = Dropout(0.25, generator: RandomGenerator(seed: 3))
        let x = Tensor.ones([100, 100])
        let y = d(x).scalars
        let zeros = y.filter { $0 == 0 }.count
        XCTAssertEqual(Float(zeros) / 10_000, 0.25, accuracy: 0.02)
        XCTAssertTrue(y.allSatisfy { $0 == 0 || Swift.abs($0 - 1 / 0.75) < 1e-6 })
        d.eval()
        XCTAssertEqual(d(x).scalars, x.scalars)
    }

    func testDropout2dZeroesWholeChannels() {
        let d = Dropout2d(0.5, generator: RandomGenerator(seed: 4))
        let y = d(Tensor.ones([4, 16, 3, 3]))
        var dropped = 0
        for n in 0..<4 {
            for c in 0..<16 {
                let channel = (0..<3).flatMap { h in (0..<3).map { w in y[n, c, h, w] } }
                XCTAssertTrue(Set(channel).count == 1, "channel \(n),\(c) partly dropped")
                if channel[0] == 0 { dropped += 1 } else { XCTAssertEqual(channel[0], 2) }
            }
        }
        XCTAssertTrue((16...48).contains(dropped))
        d.eval()
        XCTAssertEqual(d(Tensor.ones([1, 2, 2, 2])).scalars, Array(repeating: 1, count: 8))
    }

    func testModeReachesLayersInsideModels() {
        let model = DCGANDiscriminator()
        model.eval()
        XCTAssertTrue(model.modules().allSatisfy { !$0.isTraining })
        let x = Tensor.normal([2, 1, 8, 8], generator: RandomGenerator(seed: 5))
        XCTAssertEqual(model(x).scalars, model(x).scalars)  // no dropout, no stat updates
    }

    func testEmbeddingByIndexList() {
        let e = Embedding(5, 2, generator: RandomGenerator(seed: 6))
        XCTAssertEqual(e([4, 0]).shape, [2, 2])
        XCTAssertEqual(e([4])[0, 1], e.weight[4, 1])
    }
}
