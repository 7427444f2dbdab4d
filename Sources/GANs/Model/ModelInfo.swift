// What `gan list` shows about a model, and the options it takes.

public struct ModelInfo: Sendable {
    /// The command-line name, as the reference folder name ("dcgan", "wgan_gp").
    public let name: String
    /// The paper's title.
    public let title: String
    /// First author, year and arXiv id, e.g. "Radford et al., 2015, arXiv:1511.06434".
    public let citation: String
    /// The kind of data it trains on and where that comes from by default.
    public let data: DataRequirement
    /// Whether samples are drawn for given class labels.
    public let conditional: Bool
    /// Networks made of linear layers only ("mlp") or convolutional ("conv").
    public let architecture: Architecture
    /// What `gan sample` makes: samples from noise, or outputs for given input images.
    public let output: Output

    public enum Architecture: String, Sendable { case mlp, conv }
    public enum Output: String, Sendable { case samples, translation }

    public init(name: String, title: String, citation: String, data: DataRequirement = .mnist(),
                conditional: Bool = false, architecture: Architecture, output: Output = .samples) {
        self.name = name
        self.title = title
        self.citation = citation
        self.data = data
        self.conditional = conditional
        self.architecture = architecture
        self.output = output
    }

    /// The default dataset's name, as `gan list` shows it.
    public var dataset: String { data.defaultDataset }
}

/// A model-specific option (`--n-critic`, `--clip-value`, ...) with its reference default.
public struct OptionSpec: Sendable {
    public enum Kind: String, Sendable { case int, float, flag }
    /// Kebab-case name without dashes, as on the command line ("n-critic").
    public let name: String
    public let kind: Kind
    public let defaultValue: Double
    public let help: String

    public init(_ name: String, _ kind: Kind, _ defaultValue: Double, _ help: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
    }
}

/// The options every model shares, with the reference scripts' names and defaults.
public struct CommonOptions: Codable, Equatable, Sendable {
    public var nEpochs = 200
    public var batchSize = 64
    public var lr: Float = 0.0002
    public var b1: Float = 0.5
    public var b2: Float = 0.999
    public var latentDim = 100
    public var imgSize = 28
    public var channels = 1
    public var sampleInterval = 400

    /// The reference scripts' common defaults, with a model's own where they differ.
    public init(nEpochs: Int = 200, batchSize: Int = 64, lr: Float = 0.0002, b1: Float = 0.5, b2: Float = 0.999,
                latentDim: Int = 100, imgSize: Int = 28, channels: Int = 1, sampleInterval: Int = 400) {
        self.nEpochs = nEpochs
        self.batchSize = batchSize
        self.lr = lr
        self.b1 = b1
        self.b2 = b2
        self.latentDim = latentDim
        self.imgSize = imgSize
        self.channels = channels
        self.sampleInterval = sampleInterval
    }

    /// An option's value by its command-line name ("batch-size").
    public func value(named name: String) -> Double {
        switch name {
        case "n-epochs": return Double(nEpochs)
        case "batch-size": return Double(batchSize)
        case "lr": return Double(lr)
        case "b1": return Double(b1)
        case "b2": return Double(b2)
        case "latent-dim": return Double(latentDim)
        case "img-size": return Double(imgSize)
        case "channels": return Double(channels)
        case "sample-interval": return Double(sampleInterval)
        default: return .nan
        }
    }

    enum CodingKeys: String, CodingKey {
        case nEpochs = "n_epochs", batchSize = "batch_size", lr, b1, b2, latentDim = "latent_dim"
        case imgSize = "img_size", channels, sampleInterval = "sample_interval"
    }
}

/// A model's resolved configuration: the common options, its own, and its data's.
public struct ModelConfig: Codable, Equatable, Sendable {
    public var common: CommonOptions
    /// Model-specific values by option name (flags are 0 or 1).
    public var extra: [String: Double]
    /// Which data, and how its images are fitted to the model.
    public var data: DataOptions
    /// Files a model reads besides its data, by option name (srgan's and esrgan's "vgg19").
    public var files: [String: String]

    public init(common: CommonOptions, extra: [String: Double] = [:], data: DataOptions = DataOptions(), files: [String: String] = [:]) {
        self.common = common
        self.extra = extra
        self.data = data
        self.files = files
    }

    enum CodingKeys: String, CodingKey { case common, extra, data, files }

    /// Checkpoints written before data options existed trained on MNIST as the defaults say.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        common = try c.decode(CommonOptions.self, forKey: .common)
        extra = try c.decode([String: Double].self, forKey: .extra)
        data = try c.decodeIfPresent(DataOptions.self, forKey: .data) ?? DataOptions()
        files = try c.decodeIfPresent([String: String].self, forKey: .files) ?? [:]
    }

    /// The value of a declared model option; a missing one is a programming error.
    public func value(_ name: String) -> Double {
        guard let v = extra[name] else { fatalError("model option \(name) was not resolved") }
        return v
    }
    public func int(_ name: String) -> Int { Int(value(name)) }
    public func float(_ name: String) -> Float { Float(value(name)) }
    public func flag(_ name: String) -> Bool { value(name) != 0 }

    public var imageShape: [Int] { [common.channels, common.imgSize, common.imgSize] }
    public var imageCount: Int { common.channels * common.imgSize * common.imgSize }
}
