import ArgumentParser
import GANs

struct ListModels: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the implemented models.")

    func run() throws {
        let rows = Zoo.models.map { m in
            [m.info.name, m.info.citation, m.info.dataset, m.info.conditional ? "yes" : "no", m.info.architecture.rawValue, m.info.title]
        }
        let header = ["model", "paper", "data", "conditional", "networks", "title"]
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
