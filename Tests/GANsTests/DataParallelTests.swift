// The parts of data-parallel training that need no MPI: random draws cut to a rank's rows,
// the gradient buckets and the optimiser hand-over, synchronised batch norm's arithmetic.
// Two real ranks against one process: Scripts/mpi_equivalence.py (the MPI trait).
import Autograd
import NN
import XCTest
@testable import GANs

/// A group of one rank: sums and broadcasts leave buffers as they are.
final class SoloGroup: Collective {
    final class Done: CollectiveRequest {
        func test() -> Bool { true }
        func wait() {}
    }
    var rank: Int { 0 }
    var size: Int { 1 }
    private(set) var reductions = 0
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) { reductions += 1 }
    func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) -> CollectiveRequest { reductions += 1; return Done() }
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int) {}
    func abort(_ code: Int32) -> Never { fatalError("abort \(code)") }
}

final class DataParallelTests: XCTestCase {
    func testShardsSplitABatchEvenly() {
        XCTAssertEqual((0..<3).map { BatchShard(rank: $0, of: 3, total: 10) },
                       [BatchShard(start: 0, count: 4, total: 10), BatchShard(start: 4, count: 3, total: 10), BatchShard(start: 7, count: 3, total: 10)])
    }

    /// A rank's draws are its rows of the global batch's, and its stream ends where one
    /// process's does.
    func testDrawsUnderAShardAreTheRowsOfTheWholeBatch() {
        let shard = BatchShard(start: 3, count: 2, total: 8)
        let whole = RandomGenerator(seed: 5), part = RandomGenerator(seed: 5)
        let draws: [(RandomGenerator, [Int]) -> Tensor] = [
            { Tensor.normal($1, generator: $0) }, { Tensor.uniform($1, generator: $0) },
            { Tensor.randint($1, low: 0, high: 10, generator: $0) }, { dropoutMask(shape: $1, p: 0.3, generator: $0) },
        ]
        for draw in draws {
            let all = draw(whole, [8, 3, 1, 1])
            let mine = BatchShard.with(shard) { draw(part, [2, 3, 1, 1]) }
            XCTAssertEqual(mine.scalars, all.slice(dim: 0, start: 3, end: 5).scalars)
            XCTAssertEqual(part.offset, whole.offset)
        }
        // Other shapes are drawn as asked.
        let other = BatchShard.with(shard) { Tensor.normal([3, 2], generator: part) }
        XCTAssertEqual(other.scalars, Tensor.normal([3, 2], generator: whole).scalars)
    }

    /// On one rank, averaging through buckets (many small ones here) changes nothing: the
    /// same weights, bit for bit, as training without it, also with a gradient penalty's
    /// gradients of gradients and an n_critic schedule.
    func testOneRankTrainsBitwiseAsOneProcess() throws {
        for name in ["wgan_gp", "gan"] {
            let type = try Zoo.model(named: name)
            let config = try Zoo.config(for: type, common: ["batch-size": 8], extra: [:])
            let plain = type.init(config: config, seed: 0), distributed = type.init(config: config, seed: 0)
            let group = SoloGroup()
            let parallel = DataParallel(group: group, bucketMB: 0.05)
            parallel.prepare(distributed)
            let data = try TestData.mnist(imageSize: config.common.imgSize)
            let order = data.order(epoch: 0, seed: 0)
            for i in 0..<6 {
                let batch = TrainingBatch(images: data.batch(i, order: order, batchSize: 8).images)
                let a = try plain.trainStep(batch, batchesDone: i)
                let b = try parallel.step(parallel.shard(of: 8)) { try distributed.trainStep(batch, batchesDone: i) }
                XCTAssertEqual(a.map(\.value), b.map(\.value), "\(name) losses at \(i)")
            }
            XCTAssertGreaterThan(group.reductions, 12, "\(name): gradients went through several buckets")
            for ((n, x), (_, y)) in zip(parameterSnapshot(plain), parameterSnapshot(distributed)) { XCTAssertEqual(x, y, "\(name) \(n)") }
        }
    }

    /// Synchronised batch norm over one rank is batch norm: outputs, input gradients and
    /// running statistics (two updates per forward included).
    func testSynchronisedBatchNormOnOneRankIsBatchNorm() throws {
        let x = Tensor.normal([6, 4, 3, 3], generator: RandomGenerator(seed: 1)).requiringGrad()
        let seed = Tensor.normal([6, 4, 3, 3], generator: RandomGenerator(seed: 2))
        var results: [(y: [Float], grad: [Float], mean: [Float], variance: [Float])] = []
        for synchronised in [false, true] {
            let norm = BatchNorm2d(4, 0.8)
            norm.weight!.assign(Tensor([1.5, 0.5, 1, 2]))
            norm.updatesPerForward = 2
            if synchronised { norm.synchronisation = SoloGroup() }
            x.grad = nil
            let y = norm(x)
            try y.backward(seed: seed)
            results.append((y.scalars, x.grad!.scalars, norm.runningMean!.scalars, norm.runningVar!.scalars))
        }
        for (a, b) in [(results[0].y, results[1].y), (results[0].grad, results[1].grad),
                       (results[0].mean, results[1].mean), (results[0].variance, results[1].variance)] {
            XCTAssertEqual(a.count, b.count)
            for (p, q) in zip(a, b) { XCTAssertEqual(p, q, accuracy: 1e-5) }
        }
    }
}
