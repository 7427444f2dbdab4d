// `gan sample MODEL --input IMAGE|FOLDER --out IMAGE|FOLDER` for image-to-image models.
import Autograd
import Foundation
import GANs
import Vision

enum Translation {
    /// The outputs per input of a multimodal model (bicyclegan, munit), each from its own
    /// code, shown in a row after the input, as the references' pictures.
    static let codesPerInput = 8

    /// Maps the image at `input` (or every image in the folder) through `model` and writes
    /// the outputs as PNG: to `out` for one image, else into the folder `out`, each named
    /// after its input (for a multimodal model: the input and its outputs for 8 codes drawn
    /// N(0, 1), the same 8 for every input, side by side). Returns how many were written.
    static func run(_ model: any GANModel, input: URL, out: URL, mask: ImageRegion? = nil, tile: Int = 128,
                    attributes: [String]? = nil) throws -> Int {
        let inpainting = model as? any InpaintingModel
        let editing = model as? any AttributeEditingModel
        if let editing, attributes == nil {
            throw ToolError("\(type(of: editing).info.name) edits faces toward target attributes: give --attributes, a comma-separated list of \(editing.attributeNames.joined(separator: ", "))")
        }
        if attributes != nil, editing == nil { throw ToolError("--attributes applies to the attribute-editing models (stargan)") }
        if let inpainting, mask == nil {
            throw ToolError("\(type(of: inpainting).info.name) fills a region of each image: give --mask x,y,w,h (in pixels of its \(model.config.common.imgSize)x\(model.config.common.imgSize) input)")
        }
        if mask != nil, inpainting == nil { throw ToolError("--mask applies to the inpainting models (ccgan, context_encoder)") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input.path, isDirectory: &isDirectory) else {
            throw ToolError("--input \(input.path) does not exist")
        }
        let files = isDirectory.boolValue ? try ImageFolderDataset(directory: input).files : [input]
        let targets: [URL]
        if isDirectory.boolValue {
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            targets = files.map { out.appendingPathComponent($0.deletingPathExtension().lastPathComponent + ".png") }
        } else {
            guard out.pathExtension.lowercased() == "png" else { throw ToolError("--out must be a .png file for one --input image, got \(out.path)") }
            try FileManager.default.createDirectory(at: out.deletingLastPathComponent(), withIntermediateDirectories: true)
            targets = [out]
        }
        let type = type(of: model)
        let transform = TrainingData.transform(type.data(for: model.config), config: model.config, random: false)
        let normalization = type.data(for: model.config).normalization
        let rng = RandomGenerator(seed: 0)
        if let enlarging = model as? any SuperResolutionModel {
            // Each image whole, at its own resolution, in tiles.
            let channels = model.config.common.channels
            let convert = ImageTransform([channels == 1 ? .grayscale : .rgb], mean: normalization.mean, std: normalization.std)
            let f = enlarging.scaleFactor
            for (file, target) in zip(files, targets) {
                let image = convert.apply(try Image(contentsOf: file), generator: rng)
                // The output is assembled in 8 bits, tile by tile: a quarter of the float image's memory.
                var output = Image(width: f * image.width, height: f * image.height, channels: image.channels)
                try enlarging.upscaleTiles(Tensor(shape: [1] + image.shape, scalars: image.values), tile: tile) { tile, top, left in
                    let unit = normalization.unitRange(tile)
                    let piece = imageFromTensor(unit.reshape(Array(unit.shape.dropFirst())))
                    let span = piece.width * piece.channels
                    for row in 0..<piece.height {
                        let to = ((top + row) * output.width + left) * output.channels
                        output.pixels.replaceSubrange(to..<(to + span), with: piece.pixels[(row * span)..<((row + 1) * span)])
                    }
                }
                try output.writePNG(to: target)
            }
            return files.count
        }
        // A few at a time, so a large folder never holds every activation at once.
        for start in stride(from: 0, to: files.count, by: 8) {
            let chunk = start..<Swift.min(start + 8, files.count)
            let images = try chunk.map { transform.apply(try Image(contentsOf: files[$0]), generator: rng) }
            let inputs = Tensor(shape: [images.count] + images[0].shape, scalars: images.flatMap(\.values))
            let translated = try editing.map { try $0.edit(inputs, attributes: attributes!) }
                ?? inpainting.map { try $0.fill(inputs, region: mask!) }
                ?? (model as? any MultimodalTranslation)?.outputRows(inputs, count: codesPerInput, generator: RandomGenerator(seed: 0))
                ?? model.translateForOutput(inputs)
            let outputs = normalization.unitRange(translated)
            guard outputs.allFinite else {
                throw ToolError("the generator gives NaN or infinite values for \(files[chunk.lowerBound].path) (its run diverged?); no outputs written for it")
            }
            for (k, i) in chunk.enumerated() {
                try imageFromTensor(outputs.slice(dim: 0, start: k, end: k + 1).reshape(Array(outputs.shape.dropFirst())))
                    .writePNG(to: targets[i])
            }
        }
        return files.count
    }
}
