// Shared helpers for the kernel tests: a small deterministic generator and comparisons.
import XCTest
@testable import Autograd

struct LCG {
    var state: UInt64
    init(_ seed: UInt64) { state = seed &* 6364136223846793005 &+ 1442695040888963407 }
    mutating func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: state >> 40) - (1 << 23)) / Float(1 << 23)
    }
    mutating func array(_ n: Int) -> [Float] { (0..<n).map { _ in next() } }
}

/// Runs `body` with the kernels' thread count set to `n`, restoring it afterwards.
func withThreads<T>(_ n: Int, _ body: () throws -> T) rethrows -> T {
    let saved = Threading.threadCount
    Threading.setThreadCount(n)
    defer { Threading.setThreadCount(saved) }
    return try body()
}

func assertClose(_ a: [Float], _ b: [Float], tol: Float, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, what, file: file, line: line)
    var worst: Float = 0, at = 0
    for i in 0..<min(a.count, b.count) {
        let d = abs(a[i] - b[i]) / max(1, abs(b[i]))
        if !(d <= worst) { worst = d; at = i }
    }
    XCTAssert(worst <= tol, "\(what): max rel error \(worst) at \(at) (\(a[at]) vs \(b[at]))",
              file: file, line: line)
}
