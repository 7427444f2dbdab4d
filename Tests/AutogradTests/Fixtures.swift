import Foundation
import XCTest
@testable import Autograd

/// Reads the JSON fixtures written by Scripts/make_autograd_fixtures.py.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func load(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw NSError(domain: "fixtures", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(name) is not a JSON object"])
        }
        return obj
    }

    static func tensor(_ any: Any?) -> Tensor? {
        guard let d = any as? [String: Any], let shape = d["shape"] as? [Int], let data = d["data"] as? [Double] else { return nil }
        return Tensor(shape: shape, scalars: data.map { Float($0) })
    }
}

/// |a - b| <= atol + rtol * |b| elementwise, with a message naming the worst element.
func assertClose(_ a: Tensor, _ b: Tensor, rtol: Float, atol: Float, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    guard a.shape == b.shape else {
        XCTFail("\(what): shape \(a.shape) vs expected \(b.shape)", file: file, line: line)
        return
    }
    let x = a.scalars, y = b.scalars
    var worst = -1
    var worstExcess: Float = 0
    for i in 0..<x.count {
        let excess = Swift.abs(x[i] - y[i]) - (atol + rtol * Swift.abs(y[i]))
        if !(excess <= 0) && (worst < 0 || excess > worstExcess || excess.isNaN) { worst = i; worstExcess = excess }
    }
    if worst >= 0 {
        XCTFail("\(what): element \(worst) is \(x[worst]), expected \(y[worst]) (shape \(a.shape))", file: file, line: line)
    }
}
