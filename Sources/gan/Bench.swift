import ArgumentParser
import Autograd
import Foundation
import GANs

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time training iterations of a model on MNIST held in memory.",
        discussion: """
            One iteration is one batch, as the reference counts them. Models that update the \
            generator only every n_critic batches are timed in whole cycles and reported per batch.
            """)

    @Argument(help: "The model (see `gan list`).") var model: String
    @Option(help: "Timed iterations (rounded up to whole cycles).") var iterations = 20
    @Option(help: "Untimed iterations first.") var warmup = 3
    @Option(help: "Threads for the kernels (default: all cores).") var threads: Int?
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Flag(help: "Print one JSON object instead of a sentence.") var json = false
    @Option(help: "Also time N batches of the data pipeline alone (decoding and transforms on the loader's thread), to compare with a training step.")
    var data: Int?
    @OptionGroup var options: ModelOptions

    func run() throws {
        let type = try failing { try Zoo.model(named: model) }
        guard iterations > 0, warmup >= 0 else { throw ToolError("--iterations must be positive and --warmup not negative") }
        if let threads {
            guard threads > 0 else { throw ToolError("--threads must be positive, got \(threads)") }
            GANRuntime.setThreads(threads)
        }
        if let data, data <= 0 { throw ToolError("--data must be positive, got \(data)") }
        let config = try options.resolve(type)
        let rate = try data.map { n in try failing { try Benchmark.dataRate(type, config: config, batches: n, seed: seed) } }
        let result = try failing { try Benchmark.run(type, config: config, iterations: iterations, warmup: warmup, seed: seed) }
        if let rate {
            print(json ? rate.json : String(format: "data: %.1f batches/s (%.2f ms per batch of %d) from %@: %.1fx faster than a training iteration",
                                            rate.batchesPerSecond, rate.msPerBatch, rate.batchSize, rate.summary,
                                            result.msPerIteration / rate.msPerBatch))
        }
        if json {
            print(result.json)
        } else {
            print(String(format: "%@: %.2f ms per iteration (median; %.2f-%.2f over %d cycles of %d), %.1f samples/s, peak RSS %.0f MB, %d threads",
                         type.info.name, result.msPerIteration, result.msMin, result.msMax, result.cycles, result.cycleLength,
                         result.samplesPerSecond, result.peakRSSMB, result.threads))
        }
    }
}
