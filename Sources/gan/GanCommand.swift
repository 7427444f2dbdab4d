// The `gan` command: list, train, sample, bench and eval the models of the zoo.
import ArgumentParser
import Foundation
import GANs

@main
struct GanCommand: ParsableCommand {
    static func main() {
        GANRuntime.configureMemory()
        // A closed stdout (`gan list | head`) makes writes fail with EPIPE instead of killing us.
        signal(SIGPIPE, SIG_IGN)
        var command: ParsableCommand
        do { command = try parseAsRoot(joiningNegativeValues(Array(CommandLine.arguments.dropFirst()))) } catch { exit(withError: error) }
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

/// `--lr -1` as `--lr=-1`: ArgumentParser would read "-1" as an option and report a missing
/// value; joined, the value reaches the option's own check.
func joiningNegativeValues(_ arguments: [String]) -> [String] {
    var out: [String] = []
    var i = 0
    while i < arguments.count {
        let a = arguments[i]
        if a.hasPrefix("--"), !a.contains("="), i + 1 < arguments.count, arguments[i + 1].hasPrefix("-"),
           Double(arguments[i + 1]) != nil {
            out.append("\(a)=\(arguments[i + 1])")
            i += 2
        } else {
            out.append(a)
            i += 1
        }
    }
    return out
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
