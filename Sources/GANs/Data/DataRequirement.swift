// What a model trains on. Each model declares the kind of data it needs and its reference's
// defaults for fitting images to the networks; `DataOptions` holds what the user chose
// instead; the runtime builds the batches from both (`TrainingData`).
import Autograd
import Vision

/// The kinds of data the zoo's models train on.
public enum DataKind: String, Sendable, Codable {
    /// Images, with class labels where the dataset has them (MNIST's digits; a folder has none).
    case images
    /// Images that must come with class labels (conditional models).
    case labelledImages = "labelled-images"
    /// Pairs A, B of the same scene (pix2pix's A|B files), cropped and flipped together.
    case pairs
    /// Images of two domains A and B, drawn independently (CycleGAN's trainA/, trainB/).
    case unpaired
    /// Images with 0/1 attribute vectors (CelebA's list_attr_celeba.txt).
    case attributes
    /// Labelled images of a source domain and unlabelled ones of a target domain (MNIST -> MNIST-M).
    case domains
    /// High-resolution images with low-resolution copies made on the fly (super-resolution).
    case superResolution = "super-resolution"
    /// Images with a rectangular hole each (inpainting).
    case masked
}

/// How an image is brought to the model's square size.
public enum ImageFit: String, Sendable, Codable, CaseIterable {
    /// Resized to exactly size x size, as torchvision's Resize((h, w)): the aspect ratio may change.
    case stretch
    /// Shorter side resized to the load size, then the central square (the DCGAN examples').
    case centerCrop = "center-crop"
    /// Shorter side resized to the load size, then a square at a random position (CycleGAN's).
    case randomCrop = "random-crop"
    /// A size x size square at a random position of the image at its own resolution (the
    /// central one for pictures): super-resolution's training crops.
    case crop
}

/// How pixel values are mapped from [0, 1].
public enum PixelNormalization: String, Sendable, Codable {
    /// (x - 0.5) / 0.5 per channel: [-1, 1], as tanh outputs.
    case symmetric
    /// ImageNet's per-channel mean and std (the super-resolution references).
    case imagenet

    public var mean: [Float] { self == .symmetric ? [0.5] : [0.485, 0.456, 0.406] }
    public var std: [Float] { self == .symmetric ? [0.5] : [0.229, 0.224, 0.225] }

    /// Normalised images [N, C, H, W] back in [0, 1] (for pictures and files).
    public func unitRange(_ images: Tensor) -> Tensor {
        let c = images.shape[1]
        func perChannel(_ v: [Float]) -> Tensor { Tensor(shape: [1, c, 1, 1], scalars: (0..<c).map { v[v.count == 1 ? 0 : $0] }) }
        return images * perChannel(std) + perChannel(mean)
    }
}

/// A model's data and its reference's defaults for it.
public struct DataRequirement: Sendable {
    public var kind: DataKind
    /// The dataset trained on when `--dataset` is not given (a name `gan data list` knows).
    public var defaultDataset: String
    public var fit: ImageFit
    /// The filter images are resized with (torchvision's Resize is bilinear; the zoo's image
    /// models resize as PIL's bicubic where their references give it).
    public var resizeFilter: ResizeFilter
    /// The shorter side is resized to int(loadScale x the image size) before cropping (the
    /// references of cyclegan, unit and stargan: 1.12), unless `--load-size` gives a size.
    public var loadScale: Double
    /// The size the shorter side is resized to before cropping, once the user's options are
    /// applied (`TrainingData.transformSettings`).
    public var loadSize: Int?
    /// Random horizontal flips (shared by both images of a pair).
    public var flip: Bool
    public var normalization: PixelNormalization
    /// The folders a paired dataset trains on (pix2pix's reference also trains on test/).
    public var trainSplits: [String]
    /// The attributes of an attribute dataset, in order.
    public var attributes: [String]
    /// Super-resolution: how much smaller the low-resolution copies are.
    public var scaleFactor: Int
    /// Inpainting: the side of the square hole, and whether it is centred (else random).
    public var holeSize: Int
    public var centredHole: Bool
    /// Images of a single folder kept out of training, the last ones in name order (the
    /// inpainting models' held-out faces); pictures and `gan eval` use them.
    public var heldOut: Int

    public init(_ kind: DataKind, dataset: String, fit: ImageFit = .stretch, resizeFilter: ResizeFilter = .bicubic, loadScale: Double = 1, flip: Bool = false,
                normalization: PixelNormalization = .symmetric, trainSplits: [String] = ["train"], attributes: [String] = [],
                scaleFactor: Int = 4, holeSize: Int = 0, centredHole: Bool = false, heldOut: Int = 0) {
        self.kind = kind
        defaultDataset = dataset
        self.fit = fit
        self.resizeFilter = resizeFilter
        self.loadScale = loadScale
        self.flip = flip
        self.normalization = normalization
        self.trainSplits = trainSplits
        self.attributes = attributes
        self.scaleFactor = scaleFactor
        self.holeSize = holeSize
        self.centredHole = centredHole
        self.heldOut = heldOut
    }

    /// The MNIST zoo's data: digits resized to the image size, and their labels. Other
    /// image sets fit by the central square, as the DCGAN examples do with photos.
    public static func mnist(labelled: Bool = false) -> DataRequirement {
        DataRequirement(labelled ? .labelledImages : .images, dataset: "mnist", fit: .centerCrop)
    }
}

/// The data choices a user made for a run (nil: the model's default). Kept in the run's
/// configuration, so a resumed run reads the same data the same way.
public struct DataOptions: Codable, Equatable, Sendable {
    /// A dataset name (`mnist`, `facades`, `celeba`, `folder`, ...).
    public var dataset: String?
    /// The dataset's root folder, laid out as its publisher lays it out.
    public var directory: String?
    public var fit: ImageFit?
    public var loadSize: Int?
    public var flip: Bool?
    /// The attributes of an attribute dataset, in order (stargan's --selected-attrs).
    public var attributes: [String]?

    public init(dataset: String? = nil, directory: String? = nil, fit: ImageFit? = nil, loadSize: Int? = nil, flip: Bool? = nil,
                attributes: [String]? = nil) {
        self.dataset = dataset
        self.directory = directory
        self.fit = fit
        self.loadSize = loadSize
        self.flip = flip
        self.attributes = attributes
    }

    enum CodingKeys: String, CodingKey { case dataset, directory = "data_dir", fit, loadSize = "load_size", flip, attributes = "selected_attrs" }
}
