import ArgumentParser
import Autograd
import Foundation
import GANs
import NN
import Vision

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw samples from a trained generator.",
        discussion: """
            --out FILE.png writes a grid; --out FILE.npy writes float32 N x C x H x W in [-1, 1]. \
            Sampling uses running batch-norm statistics (eval mode) unless --batch-stats is given. \
            --generator-weights loads a PyTorch-named generator state dict (for example one \
            trained with the PyTorch reference) instead of a run checkpoint; the model options \
            then describe its architecture. Image-to-image models map --input (an image or a \
            folder of them) to --out (an image, or a folder where each output is a PNG named \
            after its input).
            """)

    @Argument(help: "The model (see `gan list`).") var model: String
    @Option(help: "A run folder, its checkpoints/latest, or a checkpoint folder.") var checkpoint: String?
    @Option(help: "A generator state dict (.safetensors) with PyTorch parameter names.") var generatorWeights: String?
    @Option(name: .customLong("n"), help: "Number of samples.") var count: Int?
    @Option(help: "Output file: .png (grid) or .npy; for --input, an image or a folder.") var out: String
    @Option(help: "Image-to-image models: an input image, or a folder of them.") var input: String?
    @Option(help: "Inpainting models: the region to fill, x,y,w,h in pixels of the model's input size.") var mask: String?
    @Option(help: "Super-resolution models: input pixels per side of each tile (memory grows with its square).") var tile = 128
    @Option(help: "Attribute-editing models (stargan): the target attributes, comma-separated; the others are turned off.") var attributes: String?
    @Option(help: "Class labels: a comma-separated list or a file of them (conditional models).") var labels: String?
    @Option(help: "Latent vectors N x latent_dim as .npy.") var z: String?
    @Option(help: "Images per row of the PNG grid (default: the class count or sqrt(N)).") var nrow: Int?
    @Flag(help: "Normalise with the batch's own statistics instead of the running ones.") var batchStats = false
    @Option(help: "Seed for the latent vectors.") var seed: UInt64 = 0
    @OptionGroup var options: ModelOptions

    func run() throws {
        let type = try failing { try Zoo.model(named: model) }
        guard (checkpoint == nil) != (generatorWeights == nil) else {
            throw ToolError("give exactly one of --checkpoint and --generator-weights")
        }
        let outURL = URL(fileURLWithPath: out)
        let ext = outURL.pathExtension.lowercased()
        if type.info.output == .translation {
            guard input != nil else { throw ToolError("\(type.info.name) maps images to images: give --input IMAGE or --input FOLDER") }
        } else if input != nil {
            throw ToolError("\(type.info.name) draws samples from noise; --input applies to image-to-image models")
        } else {
            guard ext == "png" || ext == "npy" else { throw ToolError("--out must end in .png or .npy, got \(out)") }
        }

        let instance: any GANModel
        if let checkpoint {
            // The checkpoint's own options describe its networks; others would be ignored.
            if let given = (options.commonOverrides.keys.sorted() + options.extraOverrides.keys.sorted()).first {
                throw ToolError("--\(given) does not apply with --checkpoint: the checkpoint's own options describe its model")
            }
            let folder = try failing { try Checkpoint.resolve(checkpoint) }
            let manifest = try failing { try Checkpoint.readManifest(folder) }
            guard manifest.model == type.info.name else {
                throw ToolError("\(checkpoint) holds a \(manifest.model) checkpoint, not \(type.info.name)")
            }
            instance = type.init(config: manifest.config, seed: 0)
            _ = try failing { try instance.generator.load(from: folder.appendingPathComponent("generator.safetensors").path) }
        } else {
            instance = type.init(config: try options.resolve(type), seed: 0)
            _ = try failing { try instance.generator.load(from: generatorWeights!) }
        }

        if let input {
            let region = try mask.map { text in
                guard let r = ImageRegion(text) else { throw ToolError("--mask takes x,y,w,h (four whole numbers), got \(text)") }
                return r
            }
            guard tile > 0 else { throw ToolError("--tile must be positive, got \(tile)") }
            let targets = attributes.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            let written = try failing {
                try Translation.run(instance, input: URL(fileURLWithPath: input), out: outURL, mask: region, tile: tile, attributes: targets)
            }
            print("Wrote \(written) outputs of \(type.info.name) to \(outURL.path)")
            return
        }

        var latent: Tensor? = nil
        if let z {
            latent = try failing { try NPY.read(URL(fileURLWithPath: z)) }
        }
        let n = count ?? latent?.shape.first ?? 25
        guard n > 0 else { throw ToolError("--n must be positive, got \(n)") }
        if let latent, latent.shape != [n, instance.latentDim] {
            throw ToolError("--z \(z!) holds an array of shape \(latent.shape); expected [\(n), \(instance.latentDim)]")
        }
        var labelList: [Int]? = nil
        if let labels {
            guard type.info.conditional else { throw ToolError("\(type.info.name) is not conditional; --labels does not apply") }
            labelList = try Sample.parseLabels(labels)
            guard labelList!.count == n else { throw ToolError("\(labelList!.count) labels given for --n \(n)") }
        } else if type.info.conditional {
            let classes = instance.config.extra["n-classes"].map { Int($0) } ?? 10
            labelList = (0..<n).map { $0 % classes }
        }
        let images = try failing {
            try instance.sampleForOutput(count: n, labels: labelList, latent: latent, generator: RandomGenerator(seed: seed),
                                         batchStatistics: batchStats)
        }
        guard images.allFinite else {
            throw ToolError("the generator of \(checkpoint ?? generatorWeights!) gives NaN or infinite values (its run diverged?); no samples written")
        }
        try FileManager.default.createDirectory(at: outURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        if ext == "npy" {
            try failing { try NPY.write(images, to: outURL) }
        } else {
            let classes = instance.config.extra["n-classes"].map { Int($0) } ?? 10
            let perRow = nrow ?? (type.info.conditional && labels == nil ? classes : Int(Double(n).squareRoot().rounded(.up)))
            try failing { try saveImageGrid(images, to: outURL, nrow: perRow, normalize: true) }
        }
        print("Wrote \(n) samples of \(type.info.name) to \(outURL.path)")
    }

    /// "0,1,2" or a file holding integers separated by commas, spaces or newlines.
    static func parseLabels(_ text: String) throws -> [Int] {
        var source = text
        if FileManager.default.fileExists(atPath: text) {
            guard let content = try? String(contentsOfFile: text, encoding: .utf8) else {
                throw ToolError("cannot read the labels file \(text)")
            }
            source = content
        }
        let out: [Int]
        do { out = try LabelList.parse(source) } catch { throw ToolError(error.message) }
        guard !out.isEmpty else { throw ToolError("--labels: no labels in '\(text)'") }
        return out
    }
}
