import XCTest
@testable import Autograd

final class CreationAndRandomTests: XCTestCase {
    /// Known-answer vectors of Philox4x32-10 from the Random123 distribution.
    func testPhiloxKnownAnswers() {
        let a = RandomGenerator.philox(counter: (0, 0, 0, 0), key: (0, 0))
        XCTAssertEqual([a.0, a.1, a.2, a.3], [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
        let b = RandomGenerator.philox(counter: (.max, .max, .max, .max), key: (.max, .max))
        XCTAssertEqual([b.0, b.1, b.2, b.3], [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])
        let c = RandomGenerator.philox(counter: (0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), key: (0xa409_3822, 0x299f_31d0))
        XCTAssertEqual([c.0, c.1, c.2, c.3], [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
    }

    func testSameSeedSameStreamAndRestore() {
        let g1 = RandomGenerator(seed: 42), g2 = RandomGenerator(seed: 42)
        let a = Tensor.normal([1000], generator: g1).scalars
        XCTAssertEqual(a, Tensor.normal([1000], generator: g2).scalars)
        XCTAssertNotEqual(a, Tensor.normal([1000], generator: RandomGenerator(seed: 43)).scalars)
        // Resuming from a saved offset continues the same stream.
        let saved = g1.offset
        let next = Tensor.uniform([7], generator: g1).scalars
        let resumed = RandomGenerator(seed: 42, offset: saved)
        XCTAssertEqual(Tensor.uniform([7], generator: resumed).scalars, next)
        // The first draws of seed 0 are pinned, so any change to the algorithm is noticed.
        let first = RandomGenerator(seed: 0).nextUInt32()
        XCTAssertEqual(first, 0x6627_e8d5)
    }

    /// The C fills draw exactly what the Swift generator draws one value at a time.
    func testFillsMatchTheScalarStream() {
        let a = RandomGenerator(seed: 77, offset: 5), b = RandomGenerator(seed: 77, offset: 5)
        let u = Tensor.uniform([1001], low: -2, high: 3, generator: a).scalars
        XCTAssertEqual(u, (0..<1001).map { _ in -2 + 5 * b.nextUniform() })
        XCTAssertEqual(a.offset, b.offset)
        let n = Tensor.normal([7], mean: 1, std: 2, generator: a).scalars
        var expected: [Float] = []
        while expected.count < 7 {
            let (x, y) = b.nextNormalPair()
            expected += [1 + 2 * x, 1 + 2 * y]
        }
        XCTAssertEqual(n, Array(expected.prefix(7)))
        XCTAssertEqual(a.offset, b.offset)
    }

    func testDistributions() {
        let g = RandomGenerator(seed: 1)
        let u = Tensor.uniform([20000], low: -2, high: 3, generator: g)
        XCTAssertGreaterThanOrEqual(u.min().item(), -2)
        XCTAssertLessThan(u.max().item(), 3)
        XCTAssertEqual(u.mean().item(), 0.5, accuracy: 0.05)
        let n = Tensor.normal([20000], mean: 1, std: 2, generator: g)
        XCTAssertEqual(n.mean().item(), 1, accuracy: 0.05)
        XCTAssertEqual(n.variance().sqrt().item(), 2, accuracy: 0.05)
        let r = Tensor.randint([1000], low: 3, high: 7, generator: g).scalars
        XCTAssertEqual(Set(r), [3, 4, 5, 6])
        let p = g.permutation(50)
        XCTAssertEqual(p.sorted(), Array(0..<50))
    }

    func testCreation() {
        XCTAssertEqual(Tensor.zeros([2, 2]).scalars, [0, 0, 0, 0])
        XCTAssertEqual(Tensor.ones([3]).scalars, [1, 1, 1])
        XCTAssertEqual(Tensor.full([2], 7).scalars, [7, 7])
        XCTAssertEqual(Tensor.arange(0, 5).scalars, [0, 1, 2, 3, 4])
        XCTAssertEqual(Tensor.arange(1, 2, step: 0.25).scalars, [1, 1.25, 1.5, 1.75])
        XCTAssertEqual(Tensor.eye(2, 3).scalars, [1, 0, 0, 0, 1, 0])
        XCTAssertEqual(Tensor.oneHot([2, 0], classes: 3).scalars, [0, 0, 1, 1, 0, 0])
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(t[1, 2], 6)
        XCTAssertEqual(Tensor(3.5).item(), 3.5)
        XCTAssertEqual(Tensor(3.5).shape, [])
    }

    /// The vector, split fills (uniform, dropout, normal) draw the scalar stream's words, from any offset (inside a
    /// block or not), at any length (shorter than a vector step, or split over threads).
    func testFillsMatchTheScalarStreamAtEveryOffsetAndLength() {
        for (offset, count) in [(0, 1), (1, 3), (2, 31), (3, 33), (4, 32), (5, 1000), (6, 70_001), (7, 16_384 * 3 + 5)] {
            for threads in [1, 2] {
                let saved = Threading.threadCount
                Threading.setThreadCount(threads)
                defer { Threading.setThreadCount(saved) }
                let a = RandomGenerator(seed: 0x1234_5678_9ABC, offset: UInt64(offset))
                let b = RandomGenerator(seed: 0x1234_5678_9ABC, offset: UInt64(offset))
                let u = Tensor.uniform([count], low: -1, high: 2, generator: a).scalars
                XCTAssertEqual(u, (0..<count).map { _ in -1 + 3 * b.nextUniform() }, "uniform at \(offset), \(count)")
                let mask = dropoutMask(shape: [count], p: 0.4, generator: a).scalars
                XCTAssertEqual(mask, (0..<count).map { _ in b.nextUniform() >= 0.4 ? 1 / (1 - Float(0.4)) : 0 },
                               "dropout mask at \(offset), \(count)")
                XCTAssertEqual(a.offset, b.offset)
                let normal = Tensor.normal([count], mean: 0.5, std: 3, generator: a).scalars
                var pairs: [Float] = []
                while pairs.count < count {
                    let (x, y) = b.nextNormalPair()
                    pairs += [0.5 + 3 * x, 0.5 + 3 * y]
                }
                XCTAssertEqual(normal, Array(pairs.prefix(count)), "normal at \(offset), \(count)")
                XCTAssertEqual(a.offset, b.offset)
            }
        }
    }

    func testDropoutMaskStatisticsAndEval() {
        let g = RandomGenerator(seed: 9)
        let x = Tensor.ones([10000])
        let y = dropout(x, p: 0.3, training: true, generator: g).scalars
        let kept = y.filter { $0 != 0 }
        XCTAssertEqual(Float(kept.count) / 10000, 0.7, accuracy: 0.02)
        XCTAssertTrue(kept.allSatisfy { Swift.abs($0 - 1 / 0.7) < 1e-6 })
        XCTAssertTrue(dropout(x, p: 0.3, training: false, generator: g) === x)
        XCTAssertEqual(dropout(x, p: 1, training: true, generator: g).sum().item(), 0)
        let c = dropout2d(Tensor.ones([4, 50, 3, 3]), p: 0.5, training: true, generator: g)
        // Whole channels are kept or dropped.
        let v = c.reshape([200, 9]).variance(dims: [1]).max().item()
        XCTAssertEqual(v, 0)
    }

    func testVarianceMaxArgmaxValues() {
        let t = Tensor(shape: [2, 3], scalars: [1, 5, 3, 4, 2, 6])
        XCTAssertEqual(t.argmax(dim: 1), [1, 2])
        XCTAssertEqual(t.max(dim: 0).values.scalars, [4, 5, 6])
        XCTAssertEqual(t.max(dim: 0).indices.scalars, [1, 0, 1])
        XCTAssertEqual(t.variance(dims: [1], unbiased: false).scalars[0], 8.0 / 3.0, accuracy: 1e-6)
        XCTAssertEqual(t.variance(dims: [1]).scalars[0], 4, accuracy: 1e-6)
    }
}
