import Foundation
import XCTest
@testable import Autograd

/// Each backward is told which of its inputs need a gradient by its own pass, so a pass
/// may run inside another's backward, or beside one on another thread, without either
/// seeing the other's needs.
final class ReentrantPassTests: XCTestCase {
    /// x * w recorded as one op whose backward reports the needs it was told, runs
    /// `during` first, and reports them again.
    private static func probe(_ x: Tensor, _ w: Tensor, seen: @escaping ([Bool]) -> Void,
                       during: @escaping () -> Void = {}) -> Tensor {
        Tensor(shape: [x.count], scalars: zip(x.scalars, w.scalars).map(*)).recorded("probe", [x, w]) { g, needs in
            seen([needs[0], needs[1]])
            during()
            seen([needs[0], needs[1]])
            return [g * w, g * x]
        }
    }

    func testPassNestedInABackwardKeepsEachPassesNeeds() throws {
        let x = Tensor([1, 2, 3]).requiringGrad(), w = Tensor([4, 5, 6]).requiringGrad()
        let u = Tensor([1, 1]).requiringGrad(), v = Tensor([2, 3]).requiringGrad()
        var outer: [[Bool]] = [], inner: [[Bool]] = []
        var innerGradient: Tensor?
        let loss = Self.probe(x, w, seen: { outer.append($0) }, during: {
            // A full (unpruned) pass of another graph, inside the outer pruned pass (which
            // runs with recording off, so the inner graph switches it on to be recorded).
            innerGradient = GradMode.with(enabled: true) {
                try? Autograd.grad(of: [Self.probe(u, v, seen: { inner.append($0) }).sum()], withRespectTo: [u, v])[1]
            }
        }).sum()
        let gx = try Autograd.grad(of: [loss], withRespectTo: [x])[0]
        XCTAssertEqual(gx?.scalars, [4, 5, 6])
        XCTAssertEqual(outer, [[true, false], [true, false]])
        XCTAssertEqual(inner, [[true, true], [true, true]])
        XCTAssertEqual(innerGradient?.scalars, [1, 1])
    }

    func testPassesOnTwoThreadsKeepTheirOwnNeeds() {
        let rounds = 200
        let mismatches = ManagedCounter()
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            let x = Tensor([1, 2, 3]).requiringGrad(), w = Tensor([4, 5, 6]).requiringGrad()
            // Thread 0 wants x's gradient only, thread 1 w's only.
            let expected = thread == 0 ? [true, false] : [false, true]
            for _ in 0..<rounds {
                var seen: [[Bool]] = []
                let loss = Self.probe(x, w, seen: { seen.append($0) }).sum()
                let g = try? Autograd.grad(of: [loss], withRespectTo: [thread == 0 ? x : w])[0]
                let expectedGradient: [Float] = thread == 0 ? [4, 5, 6] : [1, 2, 3]
                if seen != [expected, expected] || g?.scalars != expectedGradient { mismatches.increment() }
            }
        }
        XCTAssertEqual(mismatches.value, 0)
    }
}

/// A counter two threads can bump.
private final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
