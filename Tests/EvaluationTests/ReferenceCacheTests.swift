import Autograd
import Foundation
import NN
import Vision
import XCTest
@testable import Evaluation

/// The real test features are computed once, reused, and recomputed for other weights.
final class ReferenceCacheTests: XCTestCase {
    func testCacheIsWrittenReusedAndKeyedByTheWeights() throws {
        let dir = try temporaryFolder(self)
        let weights = try ClassifierLocation.builtInWeights()
        var notes = [String]()
        let first = try SampleEvaluator.shipped(weights: weights, cacheDirectory: dir, announce: { notes.append($0) })
        XCTAssertEqual(notes.count, 1, "the first use computes and says so")
        let hash = sha256Hex(try [UInt8](Data(contentsOf: weights)))
        let file = ReferenceCache.file(weightsHash: hash, in: dir)
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path))
        XCTAssertEqual(first.reference.count, 10_000)

        notes = []
        let second = try SampleEvaluator.shipped(weights: weights, cacheDirectory: dir, announce: { notes.append($0) })
        XCTAssertEqual(notes, [], "the second use reads the cache")
        XCTAssertEqual(second.reference.statistics, first.reference.statistics)

        // A cache whose recorded weights differ is not trusted (as after retraining).
        var dict = try SafeTensors.read(file.path)
        dict.metadata["weights_sha256"] = String(repeating: "0", count: 64)
        dict["features"] = Tensor.zeros([10_000, 128])
        try SafeTensors.write(dict, to: file.path)
        notes = []
        let third = try SampleEvaluator.shipped(weights: weights, cacheDirectory: dir, announce: { notes.append($0) })
        XCTAssertEqual(notes.count, 1)
        XCTAssertEqual(third.reference.statistics, first.reference.statistics)
    }
}
