import ArgumentParser
import GANs

struct ListModels: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the implemented models.")

    @Flag(help: "Also show each model's defaults (the reference script's) and its own options.") var defaults = false
    @Flag(help: "Print a Markdown table (with the defaults).") var markdown = false

    static func defaultsText(_ m: any GANModel.Type) -> String {
        let c = m.defaults
        var parts = ["batch \(c.batchSize)", "lr \(c.lr)", "betas (\(c.b1), \(c.b2))"]
        if m.info.output == .samples { parts.append("latent \(c.latentDim)") }
        parts += ["image \(c.imgSize)x\(c.imgSize)", "\(c.nEpochs) epochs"]
        for o in m.options {
            let v = o.kind == .flag ? (o.defaultValue != 0 ? "on" : "off")
                : (o.kind == .int ? "\(Int(o.defaultValue))" : "\(o.defaultValue)")
            parts.append("--\(o.name) \(v)")
        }
        return parts.joined(separator: ", ")
    }

    func run() throws {
        if markdown {
            print("| model | paper | command | data | conditional | networks | defaults |")
            print("|---|---|---|---|---|---|---|")
            for m in Zoo.models {
                let i = m.info
                print("| \(i.name) | \(i.title) (\(i.citation)) | `gan train \(i.name)` | \(i.dataset) | \(i.conditional ? "yes" : "no") | \(i.architecture.rawValue) | \(Self.defaultsText(m)) |")
            }
            return
        }
        let rows = Zoo.models.map { m in
            [m.info.name, m.info.citation, m.info.dataset, m.info.conditional ? "yes" : "no", m.info.architecture.rawValue,
             defaults ? Self.defaultsText(m) : m.info.title]
        }
        let header = ["model", "paper", "data", "conditional", "networks", defaults ? "defaults" : "title"]
        var widths = header.map(\.count)
        for r in rows { for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        print(line(header))
        for r in rows { print(line(r)) }
    }
}
