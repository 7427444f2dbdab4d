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
