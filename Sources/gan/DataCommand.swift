// `gan data`: the standard datasets — list them, fetch them from their publishers, and
// build MNIST-M.
import ArgumentParser
import Foundation
import GANs
import Vision

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "List, fetch and build the standard datasets (pix2pix and CycleGAN sets, BSDS500, MNIST, MNIST-M, CelebA).",
        discussion: """
            A dataset NAME is looked for, first match wins, in $SWIFTGAN_DATA_DIR/NAME, ./data/NAME and \
            data/NAME in each parent of the current directory; `fetch` and `mnistm` write to \
            $SWIFTGAN_DATA_DIR/NAME, else ./data/NAME.
            """,
        subcommands: [DataList.self, DataFetch.self, DataMNISTM.self])
}

struct DataList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every standard dataset: where it is looked for or found, whether it is complete, and how to get it.")

    /// The columns of the listing, in order; a new column is one more entry.
    static let columns: [(title: String, value: @Sendable (StandardDataset) -> String)] = [
        ("name", { $0.name }),
        ("status", { status(of: $0) }),
        ("location", { location(of: $0)?.path ?? "not found; fetched or built into \(DataLocation.defaultTarget(for: $0.folder).path)" }),
        ("get it with", { $0.howToGet }),
        ("models", { modelsUsing($0) }),
    ]

    func run() throws {
        let rows = StandardDataset.all.map { dataset in Self.columns.map { $0.value(dataset) } }
        let titles = Self.columns.map(\.title)
        var widths = titles.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < row.count - 1 { widths[i] = max(widths[i], cell.count) } }
        for row in [titles] + rows {
            print(row.enumerated().map { i, cell in i < row.count - 1 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) : cell }
                .joined(separator: "  "))
        }
        print("\nWhat each model trains on (another set of the same kind: --dataset NAME or --data-dir DIR):")
        let models = Zoo.models.map { m in [m.info.name, m.info.data.kind.rawValue, m.info.data.defaultDataset] }
        let modelWidths = (0..<2).map { i in models.map { $0[i].count }.max() ?? 0 }
        for row in models {
            print("  " + row[0].padding(toLength: modelWidths[0], withPad: " ", startingAt: 0) + "  "
                  + row[1].padding(toLength: modelWidths[1], withPad: " ", startingAt: 0) + "  " + row[2])
        }
        print("\nEach NAME is looked for in $\(DataLocation.environmentVariable)/NAME, ./data/NAME, then data/NAME in the parents of the current directory.")
    }

    /// Where the dataset is found; MNIST falls back to the copy built into the tool.
    static func location(of dataset: StandardDataset) -> URL? {
        dataset.location() ?? (dataset.name == "mnist" ? try? MNISTLocation.builtInDirectory() : nil)
    }

    /// The models whose reference trains on `dataset`.
    static func modelsUsing(_ dataset: StandardDataset) -> String {
        var names: [String] = []
        for model in Zoo.models where model.info.data.defaultDataset == dataset.name { names.append(model.info.name) }
        return names.joined(separator: " ")
    }

    /// "present", "missing", or "incomplete: <problems>".
    static func status(of dataset: StandardDataset) -> String {
        guard let folder = location(of: dataset) else { return "missing" }
        let problems = dataset.layout.problems(in: folder)
        return problems.isEmpty ? "present" : "incomplete: " + problems.joined(separator: "; ")
    }
}

struct DataFetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download a standard dataset from its publisher, check it and put it in place.",
        discussion: """
            The download is kept under a hidden .part name beside the target and resumed when the command \
            is run again; the archive is unpacked into a hidden folder, checked against the dataset's layout \
            and counts (and the publisher's checksum where there is one) and only then renamed into place. \
            An existing complete dataset is not downloaded again; an existing incomplete one is reported and \
            left as it is.
            """)

    @Argument(help: "The dataset (see `gan data list`).") var name: String
    @Option(help: "The dataset folder to create (default: $SWIFTGAN_DATA_DIR/NAME, else ./data/NAME).") var into: String?
    @Option(help: "A base URL to download from instead of the publisher's (the file name is appended).") var mirror: String?

    func run() throws {
        guard let dataset = StandardDataset.named(name) else {
            throw ToolError("unknown dataset '\(name)'; the standard ones are \(StandardDataset.all.map(\.name).joined(separator: ", "))")
        }
        var base: URL?
        if let mirror {
            guard let url = URL(string: mirror), ["http", "https"].contains(url.scheme?.lowercased() ?? "") else {
                throw ToolError("--mirror must be an http or https URL, got '\(mirror)'")
            }
            base = url
        }
        // A file-size limit must fail the write (EFBIG, reported) instead of killing the process.
        signal(SIGXFSZ, SIG_IGN)
        let target = into.map { URL(fileURLWithPath: $0) } ?? DataLocation.defaultTarget(for: dataset.folder)
        let outcome = try failing { try DatasetFetcher(mirror: base).fetch(dataset, into: target) }
        print(outcome == .alreadyPresent ? "\(dataset.name) is already complete in \(target.path); nothing downloaded"
              : "\(dataset.name) is ready in \(target.path) (\(dataset.layout.summary))")
    }
}

struct DataMNISTM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnistm",
        abstract: "Build MNIST-M from MNIST and BSDS500 photos (Ganin & Lempitsky 2015).",
        discussion: """
            Each MNIST digit is blended with a random 28x28 patch of a random BSDS500 training photo: every \
            channel is |patch - digit|. Writes train (60,000) and test (10,000) splits as IDX files (not gzipped) \
            with MNIST's labels, and SOURCE.md; the same seed gives the same bytes.
            """)

    @Option(help: "The folder to create (default: $SWIFTGAN_DATA_DIR/mnistm, else ./data/mnistm).") var into: String?
    @Option(help: "Seed of the patch choices.") var seed: UInt64 = 0
    @Option(help: "The BSDS500 root (holding images/train); default: the BSDS500 folder that `gan data list` finds.") var bsds: String?
    @Option(help: "The MNIST folder (default: the built-in copy).") var mnist: String?
    @Option(help: "Also write a 10x10 grid of the first 100 training images to this PNG.") var preview: String?

    func run() throws {
        guard let root = bsds.map({ URL(fileURLWithPath: $0) }) ?? DataLocation.find("BSDS500") else {
            throw ToolError("BSDS500 not found (looked in \(DataLocation.candidates(for: "BSDS500").map(\.path).joined(separator: ", "))); run `gan data fetch bsds500` or pass --bsds")
        }
        signal(SIGXFSZ, SIG_IGN)
        let target = into.map { URL(fileURLWithPath: $0) } ?? DataLocation.defaultTarget(for: "mnistm")
        let summary = try failing {
            try MNISTMWriter.build(mnist: mnist.map { URL(fileURLWithPath: $0) }, photos: root.appendingPathComponent("images/train"),
                                   seed: seed, into: target)
        }
        print(String(format: "MNIST-M written to %@: %d train + %d test images from %d photos in %.2f s",
                     target.path, summary.trainCount, summary.testCount, summary.photoCount, summary.seconds))
        if let preview {
            try failing { try MNISTM(split: .train, directory: target).grid().writePNG(to: URL(fileURLWithPath: preview)) }
        }
    }
}
