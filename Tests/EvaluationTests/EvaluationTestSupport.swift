// Shared, loaded-once inputs of the evaluation tests: the shipped scorer and real digits.
import Autograd
import Foundation
import XCTest
@testable import Evaluation
import Vision

enum Shared {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var scorer: SampleEvaluator?
    nonisolated(unsafe) private static var splits: [String: MNISTTensors] = [:]

    /// The shipped classifier with the real test features (cached after the first run).
    static func evaluator() throws -> SampleEvaluator {
        lock.lock()
        defer { lock.unlock() }
        if let scorer { return scorer }
        let s = try SampleEvaluator.shipped()
        scorer = s
        return s
    }

    /// The first `limit` images of a split.
    static func digits(_ split: MNIST.Split, limit: Int) throws -> MNISTTensors {
        lock.lock()
        defer { lock.unlock() }
        let key = "\(split)-\(limit)"
        if let d = splits[key] { return d }
        let d = try MNISTTensors(split: split, limit: limit)
        splits[key] = d
        return d
    }
}

/// A fresh empty folder, removed when the test ends.
func temporaryFolder(_ test: XCTestCase, _ name: String = #function) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("eval-\(name.filter { $0.isLetter })-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}
