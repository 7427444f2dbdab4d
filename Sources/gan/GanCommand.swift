// The `gan` command: list, train, sample, bench and eval the models of the zoo.
import ArgumentParser
import Foundation
import GANs

@main
struct GanCommand: ParsableCommand {
    static func main() {
        GANRuntime.configureMemory()
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do { try command.run() } catch { exit(withError: error) }
    }

    static let configuration = CommandConfiguration(
        commandName: "gan",
        abstract: "Train, sample, evaluate and benchmark the classic GANs on the CPU.",
        discussion: """
            Start with `gan list`, then for example `gan train dcgan`. Every run writes its \
            configuration, sample grids, metrics, a loss curve and checkpoints into --out \
            (default runs/MODEL); `gan sample` and `gan eval` read them back.
            """,
        version: SwiftGAN.version,
        subcommands: [ListModels.self, Train.self, Sample.self, Bench.self, Eval.self, TrainClassifier.self, DataCommand.self])
}

/// A failure reported as one clear sentence ("Error: ...") with exit status 1.
struct ToolError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Turns a library error into one clear line and a non-zero exit status.
func failing<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as ToolError { throw e } catch let e as ExitCode { throw e } catch {
        throw ToolError("\(error)")
    }
}
