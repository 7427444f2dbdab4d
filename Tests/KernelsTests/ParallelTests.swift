// The thread pool: every index runs once, nesting and thread-count changes are safe.
import CKernels
import XCTest
@testable import Autograd

final class ParallelTests: XCTestCase {
    func testEveryIndexRunsOnce() {
        for threads in [1, 2, 4] {
            withThreads(threads) {
                let n = 1000
                let hits = UnsafeMutablePointer<Int>.allocate(capacity: n)
                hits.initialize(repeating: 0, count: n)
                defer { hits.deallocate() }
                for _ in 0..<20 { Parallel.forEach(n) { hits[$0] += 1 } }
                XCTAssertEqual((0..<n).filter { hits[$0] != 20 }.count, 0, "threads=\(threads)")
            }
        }
    }

    func testLargeElementwiseOpsSplitWithoutChangingResults() {
        // Sizes above and around the split thresholds (16K costly, 128K cheap elements),
        // odd so the last chunk is ragged: every thread count gives the same bits.
        let rng = RandomGenerator(seed: 11)
        for n in [20_001, 131_073, 300_007] {
            let x = Tensor.normal([n], generator: rng), y = Tensor.normal([n], generator: rng)
            func results() -> [[Float]] {
                [x.tanh().scalars, x.exp().scalars, (x * y).scalars, (x + 1.5).scalars, x.leakyRelu(0.2).scalars,
                 x.abs().pow(y).scalars, y.leakyReluBackward(mask: x, slope: 0.2).scalars]
            }
            let serial = withThreads(1) { results() }
            for threads in [2, 3] {
                let split = withThreads(threads) { results() }
                for (k, (a, b)) in zip(serial, split).enumerated() {
                    XCTAssertEqual(a, b, "op \(k), n = \(n), \(threads) threads")
                }
            }
        }
    }

    func testLargeUpsamplingSplitsWithoutChangingResults() {
        let rng = RandomGenerator(seed: 12)
        let x = Tensor.normal([3, 7, 64, 64], generator: rng)        // 3 x 7 planes, 344K outputs at scale 2
        let g = Tensor.normal([3, 7, 128, 128], generator: rng)
        func results() -> [[Float]] {
            [upsample(x, scaleFactor: 2).scalars, g.upsampleNearestAdjoint(2).scalars]
        }
        let serial = withThreads(1) { results() }
        XCTAssertEqual(withThreads(2) { results() }, serial)
        XCTAssertEqual(withThreads(3) { results() }, serial)
    }

    func testNestedCallsRunSerially() {
        withThreads(2) {
            let out = UnsafeMutablePointer<Int>.allocate(capacity: 64)
            out.initialize(repeating: 0, count: 64)
            defer { out.deallocate() }
            Parallel.forEach(8) { i in
                XCTAssertEqual(ck_parallel_width(), 1)
                Parallel.forEach(8) { j in out[i * 8 + j] = i * 8 + j }
            }
            XCTAssertEqual((0..<64).map { out[$0] }, Array(0..<64))
        }
    }

    func testThreadCountIsSettable() {
        let saved = Threading.threadCount
        XCTAssertGreaterThanOrEqual(saved, 1)
        Threading.setThreadCount(3)
        XCTAssertEqual(Threading.threadCount, 3)
        Threading.setThreadCount(0)
        XCTAssertEqual(Threading.threadCount, 1)
        Threading.setThreadCount(saved)
    }
}
