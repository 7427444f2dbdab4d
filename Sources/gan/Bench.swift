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
    @OptionGroup var options: ModelOptions

    func run() throws {
        let type = try failing { try Zoo.model(named: model) }
        guard iterations > 0, warmup >= 0 else { throw ToolError("--iterations must be positive and --warmup not negative") }
        if let threads {
            guard threads > 0 else { throw ToolError("--threads must be positive, got \(threads)") }
            GANRuntime.setThreads(threads)
        }
        let config = try options.resolve(type)
        let result = try failing { try Benchmark.run(type, config: config, iterations: iterations, warmup: warmup, seed: seed) }
        if json {
            print(result.json)
        } else {
            print(String(format: "%@: %.2f ms per iteration (median; %.2f-%.2f over %d cycles of %d), %.1f samples/s, peak RSS %.0f MB, %d threads",
                         type.info.name, result.msPerIteration, result.msMin, result.msMax, result.cycles, result.cycleLength,
                         result.samplesPerSecond, result.peakRSSMB, result.threads))
        }
    }
}
