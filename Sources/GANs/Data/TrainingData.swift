// The data a run trains on: the dataset its configuration names (the model's default
// otherwise), found where `gan data` puts datasets or given with --data-dir, read in the
// format its publisher uses, and fitted to the model as its reference does.
import Autograd
import Foundation
import Vision

public struct TrainingData {
    /// The model's name, for messages, and the data it declared.
    public let modelName: String
    public let requirement: DataRequirement
    public let config: ModelConfig
    /// The dataset's name (`mnist`, `facades`, `folder`, ...).
    public let name: String
    /// Its root folder; nil for the built-in MNIST.
    public let root: URL?
    public let format: DatasetFormat

    /// Finds the data `config` names for `model`, or says what is missing and how to get it.
    public init(_ model: any GANModel.Type, config: ModelConfig) throws {
        try self.init(model.info.name, requirement: model.data(for: config), config: config)
    }

    /// As `init(_:config:)`, for a model known by its name and data requirement.
    public init(_ modelName: String, requirement: DataRequirement, config: ModelConfig) throws {
        self.modelName = modelName
        self.requirement = requirement
        self.config = config
        name = config.data.dataset ?? requirement.defaultDataset
        if let directory = config.data.directory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw DataError(.unreadable, file: directory, "the data folder does not exist (--data-dir)")
            }
            root = URL(fileURLWithPath: directory)
        } else if name == "mnist" {
            root = nil
        } else if name == "folder" {
            throw DataError(.unreadable, file: name, "--dataset folder needs --data-dir DIR, the folder of images to train on")
        } else if let found = DataLocation.find(StandardDataset.named(name)?.folder ?? name) {
            root = found
        } else {
            let standard = StandardDataset.named(name)
            let looked = DataLocation.candidates(for: standard?.folder ?? name).map(\.path).joined(separator: ", ")
            let hint = standard.map { "get it with: \($0.howToGet)," }
                ?? "it is not a standard dataset (see `gan data list`);"
            throw DataError(.unreadable, file: name, "dataset not found (looked in \(looked)); \(hint) or give its folder with --data-dir")
        }
        if let root {
            if name == "folder" || name == "mnist" {
                format = name == "folder" ? .folder : .mnist
            } else if let detected = DatasetFormat.detect(root) {
                format = detected
            } else {
                throw DataError(.empty, file: root.path, "holds no dataset this tool reads (MNIST IDX files, img_align_celeba/, images/train/, trainA/, train/, or PNG/JPEG images)")
            }
        } else {
            format = .mnist
        }
    }

    /// The transform of training images (`random: true`) or of pictured/evaluated ones
    /// (no flip, the central square instead of a random one).
    public func transform(random: Bool) -> ImageTransform { Self.transform(requirement, config: config, random: random) }

    /// The model's requirement with the user's fit, load size and flip over its defaults.
    public static func transformSettings(_ requirement: DataRequirement, config: ModelConfig) -> DataRequirement {
        var r = requirement
        r.fit = config.data.fit ?? r.fit
        r.loadSize = config.data.loadSize ?? Int(Double(config.common.imgSize) * r.loadScale)
        r.flip = config.data.flip ?? r.flip
        return r
    }

    /// As `transform(random:)`, for images that come from no dataset (`gan sample --input`).
    public static func transform(_ requirement: DataRequirement, config: ModelConfig, random: Bool) -> ImageTransform {
        let r = transformSettings(requirement, config: config)
        let size = config.common.imgSize
        var steps: [TransformStep] = [config.common.channels == 1 ? .grayscale : .rgb]
        switch r.fit {
        case .stretch:
            steps.append(.resize(width: size, height: size, filter: r.resizeFilter))
        case .centerCrop, .randomCrop:
            steps.append(.resizeShorterSide(r.loadSize ?? size, filter: r.resizeFilter))
            steps.append(random && r.fit == .randomCrop ? .randomCrop(width: size, height: size) : .centerCrop(width: size, height: size))
        case .crop:
            steps.append(random ? .randomCrop(width: size, height: size) : .centerCrop(width: size, height: size))
        }
        if random && r.flip { steps.append(.randomHorizontalFlip(probability: 0.5)) }
        return ImageTransform(steps, mean: r.normalization.mean, std: r.normalization.std)
    }

    /// The batches of `batchSize` examples a run of `seed` trains on (the first `limit`
    /// examples only, for MNIST, when given).
    public func batches(batchSize: Int, seed: UInt64, limit: Int? = nil) throws -> BatchSource {
        let kind = requirement.kind
        if format == .mnist {
            guard kind == .images || kind == .labelledImages else { throw unsuitable("MNIST digits") }
            let set = try MNISTTrainingSet(directory: root, imageSize: config.common.imgSize, limit: limit)
            guard set.count > 0 else { throw DataError(.empty, file: root?.path ?? "the built-in MNIST", "holds no training images") }
            return MNISTBatches(set, batchSize: batchSize, seed: seed, channels: config.common.channels)
        }
        let root = self.root!
        let r = requirement
        let train = transform(random: true), fixed = transform(random: false)
        func loader(_ dataset: any Dataset, _ evaluation: (any Dataset)?, _ what: String,
                    _ assemble: @escaping (Batch) throws -> TrainingBatch) -> BatchSource {
            LoaderBatches(dataset, evaluation: evaluation, batchSize: batchSize, seed: seed,
                          summary: "\(dataset.count) \(what) from \(root.path)", assemble: assemble)
        }
        switch kind {
        case .images where format == .mnistm, .labelledImages where format == .mnistm:
            return loader(try MNISTMDataset(directory: root, transform: train), try MNISTMDataset(split: .test, directory: root, transform: fixed),
                          "MNIST-M images") { TrainingBatch(images: $0.images[0], labels: $0.classLabels) }
        case .images, .labelledImages:
            guard let folder = format.imageFolder(root) else { throw unsuitable("\(format.rawValue) data") }
            if kind == .labelledImages {
                throw DataError(.mismatch, file: root.path, "\(modelName) needs class labels, and a folder of images has none (train it on mnist)")
            }
            return loader(try ImageFolderDataset(directory: folder, transform: train), try ImageFolderDataset(directory: folder, transform: fixed),
                          "images") { TrainingBatch(images: $0.images[0]) }
        case .pairs:
            guard format == .paired else { throw unsuitable("\(format.rawValue) data") }
            return loader(try PairedImageDataset(root: root, splits: r.trainSplits, transform: train),
                          try PairedImageDataset(root: root, splits: [Self.evaluationSplit(root)], transform: fixed),
                          "pairs") { TrainingBatch(images: $0.images[0], imagesB: $0.images[1]) }
        case .unpaired:
            let dataset: any Dataset, evaluation: any Dataset
            switch format {
            case .unpaired:
                dataset = try UnpairedImageDataset(root: root, split: "train", mode: .shuffled, transform: train)
                let test = FileManager.default.fileExists(atPath: root.appendingPathComponent("testA").path) ? "test" : "train"
                evaluation = try UnpairedImageDataset(root: root, split: test, mode: .aligned, transform: fixed)
            case .paired:
                dataset = try PairedImageDataset(root: root, splits: ["train"], pairing: .independent, transform: train)
                evaluation = try PairedImageDataset(root: root, splits: [Self.evaluationSplit(root)], transform: fixed)
            default:
                throw unsuitable("\(format.rawValue) data")
            }
            return loader(dataset, evaluation, "images of each domain") { TrainingBatch(images: $0.images[0], imagesB: $0.images[1]) }
        case .attributes:
            guard format == .celeba else { throw unsuitable("\(format.rawValue) data") }
            let kept = try CelebADataset(root: root, attributes: r.attributes, transform: train).split(heldOut: r.heldOut).kept
            let heldOut = try heldOutFaces()
            return loader(kept, heldOut, kept.count == heldOut.count ? "faces" : "faces (\(heldOut.count) more held out)") {
                TrainingBatch(images: $0.images[0], attributes: $0.labels)
            }
        case .superResolution:
            guard let folder = format.imageFolder(root) else { throw unsuitable("\(format.rawValue) data") }
            return loader(SuperResolutionDataset(try ImageFolderDataset(directory: folder, transform: train), factor: r.scaleFactor),
                          SuperResolutionDataset(try ImageFolderDataset(directory: folder, transform: fixed), factor: r.scaleFactor), "images") {
                TrainingBatch(images: $0.images[0], lowResolution: $0.images[1])
            }
        case .masked:
            guard let folder = format.imageFolder(root) else { throw unsuitable("\(format.rawValue) data") }
            let (kept, heldOut) = try Self.heldOutSplit(folder, last: r.heldOut)
            return loader(InpaintingDataset(ImageFolderDataset(files: kept, transform: train), holeSize: r.holeSize, centred: r.centredHole),
                          InpaintingDataset(ImageFolderDataset(files: heldOut, transform: fixed), holeSize: r.holeSize, centred: true),
                          "images (\(heldOut.count) more held out)") { batch in
                let corners = batch.labels!.scalars
                return TrainingBatch(images: batch.images[0], holes: (0..<batch.count).map { (Int(corners[2 * $0]), Int(corners[2 * $0 + 1])) })
            }
        case .domains:
            // Labelled MNIST digits (the built-in copy) as the source domain, the dataset as the target.
            guard format == .mnistm else { throw unsuitable("\(format.rawValue) data") }
            let source = try MNISTDataset(transform: train), sourceFixed = try MNISTDataset(split: .test, transform: fixed)
            return loader(ZippedDataset(source, try MNISTMDataset(directory: root, transform: train)),
                          ZippedDataset(sourceFixed, try MNISTMDataset(split: .test, directory: root, transform: fixed)),
                          "MNIST digits with MNIST-M images") { TrainingBatch(images: $0.images[0], labels: $0.classLabels, imagesB: $0.images[1]) }
        }
    }

    /// The pairs of a paired dataset's evaluation split (val/, else test/; or the one named),
    /// as `gan eval` compares a translation model's outputs with them.
    public func evaluationPairs(split: String? = nil) throws -> (pairs: PairedImageDataset, split: String) {
        guard let root, format == .paired else { throw unsuitable("\(format.rawValue) data, not pairs") }
        let chosen = split ?? Self.evaluationSplit(root)
        return (try PairedImageDataset(root: root, splits: [chosen], transform: transform(random: false)), chosen)
    }

    /// The images of `folder` but its last `last` (in name order), and those last ones: all
    /// of them for both when the folder holds no more than `last`.
    public static func heldOutSplit(_ folder: URL, last: Int) throws -> (kept: [URL], heldOut: [URL]) {
        let files = try ImageFiles.list(folder)
        guard last > 0, files.count > last else { return (files, files) }
        return (Array(files.dropLast(last)), Array(files.suffix(last)))
    }

    /// The held-out images of an inpainting model's folder, as `gan eval` scores them.
    public func heldOutImages() throws -> [URL] {
        guard let root, let folder = format.imageFolder(root) else { throw unsuitable("\(format.rawValue) data") }
        return try Self.heldOutSplit(folder, last: requirement.heldOut).heldOut
    }

    /// The held-out faces of an attribute dataset with their attributes, as pictured and as
    /// `gan eval` edits them (centre crops).
    public func heldOutFaces() throws -> CelebADataset {
        guard let root, format == .celeba else { throw unsuitable("\(format.rawValue) data") }
        return try CelebADataset(root: root, attributes: requirement.attributes, transform: transform(random: false))
            .split(heldOut: requirement.heldOut).heldOut
    }

    /// pix2pix sets picture and evaluate on val/, or test/ where there is no val/.
    static func evaluationSplit(_ root: URL) -> String {
        for split in ["val", "test"] where FileManager.default.fileExists(atPath: root.appendingPathComponent(split).path) { return split }
        return "train"
    }

    func unsuitable(_ what: String) -> DataError {
        DataError(.mismatch, file: root?.path ?? name,
                  "is \(what), but \(modelName) trains on \(requirement.kind.rawValue) (its reference uses \(requirement.defaultDataset))")
    }
}
