import XCTest
import Autograd
@testable import NN

/// Fixtures written by Scripts/nn_fixtures.py (PyTorch), read next to this file.
enum Fixture {
    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).safetensors").path
    }

    static func load(_ name: String) throws -> StateDict { try SafeTensors.read(path(name)) }
}

/// Element-wise |a - b| <= tolerance * max(1, |b|), with the worst element in the message.
func assertClose(_ a: Tensor?, _ b: Tensor?, tolerance: Float, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    guard let a, let b else { return XCTFail("\(what): missing tensor (ours \(a == nil ? "nil" : "present"), reference \(b == nil ? "nil" : "present"))", file: file, line: line) }
    guard a.shape == b.shape else { return XCTFail("\(what): shape \(a.shape) vs reference \(b.shape)", file: file, line: line) }
    let x = a.scalars, y = b.scalars
    var worst = (index: -1, excess: Float(0))
    for i in x.indices {
        let excess = Swift.abs(x[i] - y[i]) - tolerance * Swift.max(1, Swift.abs(y[i]))
        if !(excess <= 0) && (worst.index < 0 || !(excess <= worst.excess)) { worst = (i, excess) }
    }
    if worst.index >= 0 {
        XCTFail("\(what): element \(worst.index) is \(x[worst.index]), reference \(y[worst.index]) (tolerance \(tolerance))", file: file, line: line)
    }
}
