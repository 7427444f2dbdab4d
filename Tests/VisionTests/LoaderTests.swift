// The prefetching loader: order, batching, drop-last, epochs, errors, skipping, shutdown.
import Autograd
import Foundation
import XCTest
@testable import Vision

/// A dataset of `count` one-value images whose value is the index; chosen indices fail.
struct CountingDataset: Dataset {
    let count: Int
    var failing: Set<Int> = []
    var delay: TimeInterval = 0

    func example(at index: Int, generator: RandomGenerator) throws -> Example {
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        if failing.contains(index) { throw DataError(.corrupt, file: "item\(index).png", "bad PNG: broken on purpose") }
        return Example(images: [FloatImage(channels: 1, height: 1, width: 2, values: [Float(index), generator.nextUniform()])],
                       labels: [Float(index % 10)])
    }

    func source(of index: Int) -> String { "item\(index).png" }
}

/// Collects warnings from the loader's thread.
final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

final class LoaderTests: XCTestCase {
    func testBatchesAreContiguousAndCoverTheEpochOnce() throws {
        let loader = DataLoader(dataset: CountingDataset(count: 10), batchSize: 4, seed: 7)
        var seen = [Int]()
        var sizes = [Int]()
        let epoch = loader.epoch(0)
        while let batch = try epoch.nextBatch() {
            XCTAssertEqual(batch.images[0].shape, [batch.count, 1, 1, 2])
            XCTAssertEqual(batch.labels?.shape, [batch.count, 1])
            let values = batch.images[0].scalars
            XCTAssertEqual((0..<batch.count).map { Int(values[$0 * 2]) }, batch.indices)
            XCTAssertEqual(batch.classLabels, batch.indices.map { $0 % 10 })
            seen += batch.indices
            sizes.append(batch.count)
        }
        XCTAssertEqual(sizes, [4, 4, 2])
        XCTAssertEqual(seen.sorted(), Array(0..<10))
        XCTAssertNotEqual(seen, Array(0..<10), "shuffled")
        XCTAssertEqual(seen, loader.order(epoch: 0))
    }

    func testSameSeedSameOrderAndAugmentationDifferentEpochsDiffer() throws {
        func run(_ seed: UInt64, epoch: Int) throws -> [Float] {
            let loader = DataLoader(dataset: CountingDataset(count: 12), batchSize: 5, seed: seed, prefetch: 1)
            return loader.epoch(epoch).flatMap { $0.images[0].scalars }
        }
        XCTAssertEqual(try run(3, epoch: 0), try run(3, epoch: 0))
        XCTAssertNotEqual(try run(3, epoch: 0), try run(3, epoch: 1))
        XCTAssertNotEqual(try run(3, epoch: 0), try run(4, epoch: 0))
        let unshuffled = DataLoader(dataset: CountingDataset(count: 5), batchSize: 2, shuffle: false)
        XCTAssertEqual(unshuffled.epoch(0).flatMap(\.indices), [0, 1, 2, 3, 4])
    }

    func testDropLast() {
        let loader = DataLoader(dataset: CountingDataset(count: 10), batchSize: 4, dropLast: true)
        XCTAssertEqual(loader.batchesPerEpoch, 2)
        XCTAssertEqual(loader.epoch(0).map(\.count), [4, 4])
    }

    func testWorkerErrorReachesTheCallerUnderStop() throws {
        let loader = DataLoader(dataset: CountingDataset(count: 20, failing: [13]), batchSize: 4, shuffle: false)
        let epoch = loader.epoch(0)
        var batches = 0
        do {
            while try epoch.nextBatch() != nil { batches += 1 }
            XCTFail("expected the bad example's error")
        } catch let error as DataError {
            XCTAssertEqual(error.file, "item13.png")
            XCTAssertTrue(error.problem.contains("broken on purpose"))
        }
        XCTAssertEqual(batches, 3)
        XCTAssertNil(try epoch.nextBatch(), "the epoch is over after an error")
        // With for-in, the error is kept.
        let iterated = loader.epoch(0)
        XCTAssertEqual(Array(iterated).count, 3)
        XCTAssertNotNil(iterated.error)
    }

    func testSkipPolicyWarnsAndFillsBatches() {
        let log = WarningLog()
        let loader = DataLoader(dataset: CountingDataset(count: 10, failing: [2, 5]), batchSize: 3, shuffle: false,
                                badExamples: .skip, onWarning: { log.add($0) })
        let batches = Array(loader.epoch(0))
        XCTAssertEqual(batches.map(\.indices), [[0, 1, 3], [4, 6, 7], [8, 9]])
        XCTAssertEqual(log.all.count, 2)
        XCTAssertTrue(log.all[0].contains("item2.png") && log.all[0].contains("broken on purpose"), log.all[0])
    }

    func testMismatchedShapesAreAnErrorNamingTheExample() {
        struct Ragged: Dataset {
            var count: Int { 4 }
            func example(at index: Int, generator: RandomGenerator) throws -> Example {
                Example(images: [FloatImage(channels: 1, height: 1, width: index == 2 ? 3 : 2, values: [Float](repeating: 0, count: index == 2 ? 3 : 2))])
            }
            func source(of index: Int) -> String { "ragged\(index).jpg" }
        }
        let epoch = DataLoader(dataset: Ragged(), batchSize: 4, shuffle: false).epoch(0)
        XCTAssertThrowsError(try epoch.nextBatch()) { error in
            XCTAssertTrue("\(error)".contains("ragged2.jpg"), "\(error)")
        }
    }

    func testClosingEarlyStopsTheWorkerPromptly() throws {
        // A slow dataset: without a clean shutdown the worker would run for 2 s.
        let loader = DataLoader(dataset: CountingDataset(count: 200, delay: 0.01), batchSize: 2, prefetch: 2)
        let start = Date()
        do {
            let epoch = loader.epoch(0)
            _ = try epoch.nextBatch()
            epoch.close()
            epoch.close()  // idempotent
        }
        do {
            let dropped = loader.epoch(1)
            _ = try dropped.nextBatch()
        }  // deinit closes
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
    }

    func testPrefetchOverlapsWithTheConsumer() throws {
        // 16 batches x 30 ms of loading and 30 ms of "training": one after the other that is at
        // least 0.96 s; overlapped about 0.5 s. Sleeps, so a busy CPU barely matters.
        let loader = DataLoader(dataset: CountingDataset(count: 16, delay: 0.03), batchSize: 1, shuffle: false, prefetch: 2)
        let start = Date()
        for _ in loader.epoch(0) { Thread.sleep(forTimeInterval: 0.03) }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertLessThan(elapsed, 0.85, "no overlap: \(elapsed) s")
    }

    func testRealImagesThroughTheLoaderWithABadFileInTheFolder() throws {
        let folder = try makeTemporaryFolder(self)
        for i in 0..<5 { try writePNG(patternImage(width: 40, height: 30, seed: i), folder, "img\(i).png") }
        let good = [UInt8](try Data(contentsOf: TestPaths.fixture("jpeg_rgb_baseline.jpg")))
        try writeBytes(Array(good.prefix(good.count / 2)), folder, "img2_truncated.jpg")
        let transform = ImageTransform([.resize(width: 20, height: 20, filter: .bicubic), .randomCrop(width: 16, height: 16),
                                        .randomHorizontalFlip(probability: 0.5)], mean: [0.5], std: [0.5])
        let dataset = try ImageFolderDataset(directory: folder, transform: transform)
        let stopping = DataLoader(dataset: dataset, batchSize: 6, seed: 1)
        XCTAssertThrowsError(try stopping.epoch(0).nextBatch()) { error in
            XCTAssertTrue("\(error)".contains("img2_truncated.jpg") && "\(error)".contains("truncated"), "\(error)")
        }
        let log = WarningLog()
        let skipping = DataLoader(dataset: dataset, batchSize: 6, seed: 1, badExamples: .skip, onWarning: { log.add($0) })
        let batches = Array(skipping.epoch(0))
        XCTAssertEqual(batches.count, 1)
        XCTAssertEqual(batches[0].images[0].shape, [5, 3, 16, 16])
        XCTAssertEqual(log.all.count, 1)
    }
}
