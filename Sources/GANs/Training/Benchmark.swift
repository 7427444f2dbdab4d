// `gan bench`: training iterations timed on batches already in memory.
import Autograd
import CKernels
import Foundation

public struct BenchmarkResult: Sendable {
    public let model: String
    public let batchSize: Int
    public let msPerIteration: Double
    public let msMin: Double
    public let msMax: Double
    public let cycles: Int
    public let cycleLength: Int
    public let samplesPerSecond: Double
    public let peakRSSMB: Double
    /// The most the live tensors held at once: what the model needs, beside what the
    /// process keeps (buffers cached for reuse, the runtime, the data).
    public let peakTensorMB: Double
    public let threads: Int
    public var precision = Precision.fp32
    /// Data-parallel runs: the ranks, and the median time per iteration spent waiting for
    /// gradient all-reduces that backward did not hide.
    public var ranks = 1
    public var communicationMs: Double = 0
    /// Timed iterations only: allocations the tensor pool could not serve from its cache,
    /// and the page faults taken (memory handed back and faulted in again), per iteration.
    public var poolMissesPerIteration: Double = 0
    public var pageFaultsPerIteration: Double = 0
    /// The matrix products' and convolutions' FLOPs per iteration, counted as the layers are
    /// defined (`WorkCount`), and the machine's float32 FMA peak measured on as many threads
    /// right after the timed iterations (0 where not measured).
    public var gflopPerIteration: Double = 0
    public var fmaPeakGFLOPS: Double = 0

    /// The counted FLOPs over the median iteration time.
    public var gflops: Double { msPerIteration > 0 ? gflopPerIteration / (msPerIteration / 1000) : 0 }
    /// `gflops` as a share of the measured FMA peak.
    public var peakFraction: Double { fmaPeakGFLOPS > 0 ? gflops / fmaPeakGFLOPS : 0 }

    public var json: String {
        String(format: "{\"model\":\"%@\",\"batch_size\":%d,\"ms_per_iter\":%.4f,\"ms_min\":%.4f,\"ms_max\":%.4f,\"cycles\":%d,\"cycle_length\":%d,\"samples_per_s\":%.2f,\"peak_rss_mb\":%.1f,\"peak_tensor_mb\":%.1f,\"threads\":%d,\"precision\":\"%@\",\"pool_misses_per_iter\":%.1f,\"page_faults_per_iter\":%.1f",
               model, batchSize, msPerIteration, msMin, msMax, cycles, cycleLength, samplesPerSecond, peakRSSMB, peakTensorMB, threads, precision.rawValue,
               poolMissesPerIteration, pageFaultsPerIteration)
            + String(format: ",\"gflop_per_iter\":%.6f,\"gflops\":%.3f,\"fma_peak_gflops\":%.3f,\"peak_fraction\":%.5f",
                     gflopPerIteration, gflops, fmaPeakGFLOPS, peakFraction)
            + (ranks > 1 ? String(format: ",\"ranks\":%d,\"communication_ms\":%.4f", ranks, communicationMs) : "") + "}"
    }
}

public enum Benchmark {
    public static func run(_ type: any GANModel.Type, config: ModelConfig, iterations: Int, warmup: Int,
                           seed: UInt64 = 0, precision: Precision = .fp32, parallel: DataParallel? = nil) throws -> BenchmarkResult {
        let model = type.init(config: config, seed: seed)
        try checkBatchSize(model)
        try model.prepareToTrain()   // what a step needs besides the data (srgan's VGG19), as training loads it
        parallel?.prepare(model)
        let bs = config.common.batchSize
        let cycle = Swift.max(1, model.iterationsPerCycle)
        // A few whole batches read once and reused, so the timing is the model's alone.
        let data = try TrainingData(type, config: config).batches(batchSize: bs, seed: seed, limit: Swift.max(bs * 4, 256))
        let batches = try (0..<Swift.min(4, Swift.max(1, data.count / bs))).map { try data.batch($0, epoch: 0) }
        try parallel?.check(model, batchSize: bs, examples: bs)
        let shard = parallel?.shard(of: bs)
        let local = shard.map { s in batches.map { $0.slice(s.start..<(s.start + s.count)) } } ?? batches
        var batchIndex = 0
        func step(_ done: Int) throws {
            let batch = local[batchIndex % local.count]
            if let parallel, let shard {
                _ = try parallel.step(shard) { try Precision.with(precision) { try model.trainStep(batch, batchesDone: done) } }
            } else {
                _ = try Precision.with(precision) { try model.trainStep(batch, batchesDone: done) }
            }
            batchIndex += 1
        }
        for i in 0..<warmup { try step(i) }
        let cycles = (iterations + cycle - 1) / cycle
        var perBatch: [Double] = [], waits: [Double] = []
        var done = warmup
        let misses0 = MemoryStats.poolMisses, faults0 = MemoryUsage.minorPageFaults(), flops0 = WorkCount.flops
        for _ in 0..<cycles {
            parallel?.barrier()   // every rank times the same cycle
            let start = DispatchTime.now().uptimeNanoseconds, waited = parallel?.communicationSeconds ?? 0
            for _ in 0..<cycle { try step(done); done += 1 }
            let ns = Double(DispatchTime.now().uptimeNanoseconds - start)
            perBatch.append(ns / 1e6 / Double(cycle))
            waits.append(((parallel?.communicationSeconds ?? 0) - waited) * 1e3 / Double(cycle))
        }
        let timed = Double(cycles * cycle)
        let missesPerIteration = Double(MemoryStats.poolMisses - misses0) / timed
        let faultsPerIteration = Double(MemoryUsage.minorPageFaults() - faults0) / timed
        let gflopPerIteration = Double(WorkCount.flops - flops0) / timed / 1e9
        func medianOf(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        let sorted = perBatch.sorted()
        let middle = medianOf(perBatch)
        var result = BenchmarkResult(model: type.info.name, batchSize: bs, msPerIteration: middle, msMin: sorted.first!, msMax: sorted.last!,
                               cycles: cycles, cycleLength: cycle, samplesPerSecond: Double(bs) / (middle / 1000),
                               peakRSSMB: Double(MemoryUsage.peakResidentBytes()) / 1_048_576,
                               peakTensorMB: Double(MemoryStats.peakTensorBytes) / 1_048_576, threads: GANRuntime.threads)
        result.ranks = parallel?.size ?? 1
        result.precision = precision
        result.poolMissesPerIteration = missesPerIteration
        result.pageFaultsPerIteration = faultsPerIteration
        result.gflopPerIteration = gflopPerIteration
        result.fmaPeakGFLOPS = ck_fma_peak_gflops(0.5)
        result.communicationMs = medianOf(waits)
        return result
    }
}

public enum MemoryUsage {
    /// Peak resident set size of this process (VmHWM), in bytes.
    public static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kb * 1024
        }
        return 0
    }

    /// Minor page faults this process has taken so far (all threads).
    public static func minorPageFaults() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_minflt
    }
}

/// How fast a model's data pipeline serves batches on its own (`gan bench --data`).
public struct DataRateResult: Sendable {
    public let summary: String
    public let batchSize: Int
    public let batches: Int
    public let msPerBatch: Double

    public var batchesPerSecond: Double { 1000 / msPerBatch }
    public var json: String {
        String(format: "{\"data\":\"%@\",\"batch_size\":%d,\"batches\":%d,\"ms_per_batch\":%.4f,\"batches_per_s\":%.2f}",
               summary, batchSize, batches, msPerBatch, batchesPerSecond)
    }
}

extension Benchmark {
    /// Times `batches` consecutive batches of the model's data with no training in between:
    /// decoding and transforms run on the loader's background thread, so this is the rate
    /// the pipeline can feed training at, to be set beside a training step's time.
    public static func dataRate(_ type: any GANModel.Type, config: ModelConfig, batches: Int, seed: UInt64 = 0) throws -> DataRateResult {
        let source = try TrainingData(type, config: config).batches(batchSize: config.common.batchSize, seed: seed)
        let perEpoch = source.batchesPerEpoch
        _ = try source.batch(0, epoch: 0)   // the worker starts and fills its queue
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 1...batches { _ = try source.batch(i % perEpoch, epoch: i / perEpoch) }
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(batches)
        return DataRateResult(summary: source.summary, batchSize: config.common.batchSize, batches: batches, msPerBatch: ms)
    }
}
