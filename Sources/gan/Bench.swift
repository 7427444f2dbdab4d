import ArgumentParser
import Autograd
import Foundation
import GANs

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time training iterations of a model on a few batches of its data held in memory.",
        discussion: """
            One iteration is one batch, as the reference counts them. Models that update the \
            generator only every n_critic batches are timed in whole cycles and reported per batch.
            """)

    @Argument(help: "The model (see `gan list`).") var model: String
    @Option(help: "Timed iterations (rounded up to whole cycles).") var iterations = 20
    @Option(help: "Untimed iterations first.") var warmup = 3
    @Option(help: "Threads for the kernels (default: all cores).") var threads: Int?
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Matrix products and convolutions in fp32 or bf16 (see `gan train --help`).") var precision = Precision.fp32
    @Flag(help: "Print one JSON object instead of a sentence.") var json = false
    @Option(help: "Also time N batches of the data pipeline alone (decoding and transforms on the loader's thread), to compare with a training step.")
    var data: Int?
    @OptionGroup var options: ModelOptions
    @Flag(help: "Under `mpirun -np K` (a gan built with the MPI trait): time data-parallel iterations of --batch-size split over the ranks, the time spent waiting for gradient all-reduces, and the scaling efficiency (the same per-rank iterations without averaging over the time with it).")
    var distributed = false
    @Flag(help: "With --distributed: synchronised batch norm.") var syncBn = false

    func run() throws {
        if syncBn && !distributed { throw ToolError("--sync-bn needs --distributed") }
        if distributed { return try Distributed.run(syncBatchNorm: syncBn, threads: threads) { try runDistributed($0) } }
        let type = try failing { try Zoo.model(named: model) }
        guard iterations > 0, warmup >= 0 else { throw ToolError("--iterations must be positive and --warmup not negative") }
        if let threads {
            guard threads > 0 else { throw ToolError("--threads must be positive, got \(threads)") }
            GANRuntime.setThreads(threads)
        }
        if let data, data <= 0 { throw ToolError("--data must be positive, got \(data)") }
        let config = try options.resolve(type)
        let rate = try data.map { n in try failing { try Benchmark.dataRate(type, config: config, batches: n, seed: seed) } }
        let precision = try checked(self.precision)
        let result = try failing { try Benchmark.run(type, config: config, iterations: iterations, warmup: warmup, seed: seed, precision: precision) }
        if let rate {
            print(json ? rate.json : String(format: "data: %.1f batches/s (%.2f ms per batch of %d) from %@: %.1fx faster than a training iteration",
                                            rate.batchesPerSecond, rate.msPerBatch, rate.batchSize, rate.summary,
                                            result.msPerIteration / rate.msPerBatch))
        }
        if json {
            print(result.json)
        } else {
            print(String(format: "%@: %.2f ms per iteration (median; %.2f-%.2f over %d cycles of %d), %.1f samples/s, peak RSS %.0f MB (tensors %.0f MB), %d threads, %@; "
                         + "%.2f GFLOP per iteration in products and convolutions (as defined), %.1f GFLOP/s: %.0f%% of the FMA peak measured here (%.1f GFLOP/s)",
                         type.info.name, result.msPerIteration, result.msMin, result.msMax, result.cycles, result.cycleLength,
                         result.samplesPerSecond, result.peakRSSMB, result.peakTensorMB, result.threads, precision.rawValue,
                         result.gflopPerIteration, result.gflops, 100 * result.peakFraction, result.fmaPeakGFLOPS))
        }
    }

    /// Each rank times its share of --batch-size with the gradients averaged, then alone;
    /// rank 0 reports.
    func runDistributed(_ parallel: DataParallel) throws {
        let type = try failing { try Zoo.model(named: model) }
        guard iterations > 0, warmup >= 0 else { throw ToolError("--iterations must be positive and --warmup not negative") }
        let config = try options.resolve(type)
        let precision = try checked(self.precision)
        let together = try failing { try Benchmark.run(type, config: config, iterations: iterations, warmup: warmup, seed: seed, precision: precision, parallel: parallel) }
        parallel.averagesGradients = false
        let alone = try failing { try Benchmark.run(type, config: config, iterations: iterations, warmup: warmup, seed: seed, precision: precision, parallel: parallel) }
        parallel.averagesGradients = true
        guard parallel.isRoot else { return }
        let efficiency = alone.msPerIteration / together.msPerIteration
        if json {
            print(String(together.json.dropLast()) + String(format: ",\"ms_per_iter_without_averaging\":%.4f,\"scaling_efficiency\":%.4f}",
                                                          alone.msPerIteration, efficiency))
        } else {
            print(String(format: "%@ over %d ranks: %.2f ms per iteration of %d (median; %.2f-%.2f), %.2f ms of it waiting for all-reduces; "
                         + "%.2f ms without averaging: scaling efficiency %.0f%%; %.1f samples/s, %d threads per rank",
                         type.info.name, parallel.size, together.msPerIteration, together.batchSize, together.msMin, together.msMax,
                         together.communicationMs, alone.msPerIteration, 100 * efficiency, together.samplesPerSecond, together.threads))
        }
    }
}
