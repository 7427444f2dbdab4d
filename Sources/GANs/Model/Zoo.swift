// The registry of implemented models and the resolution of their options.

public enum Zoo {
    /// Every implemented model, in the order `gan list` shows them.
    nonisolated(unsafe) public static let models: [any GANModel.Type] = [
        GAN.self, DCGAN.self,
        LSGAN.self, WGAN.self, WGANGP.self, WGANDiv.self, DRAGAN.self, BEGAN.self, EBGAN.self, BGAN.self,
        SoftmaxGAN.self, RelativisticGAN.self,
        CGAN.self, ACGAN.self, SGAN.self, InfoGAN.self, AAE.self, ClusterGAN.self, BiGAN.self,
        Pix2Pix.self, CycleGAN.self, DiscoGAN.self, DualGAN.self,
        CCGAN.self, ContextEncoder.self, SRGAN.self, ESRGAN.self,
        PixelDA.self, CoGAN.self,
        UNIT.self, StarGAN.self,
        BicycleGAN.self, MUNIT.self,
    ]

    public static func model(named name: String) throws(ConfigError) -> any GANModel.Type {
        let key = name.lowercased().replacingOccurrences(of: "-", with: "_")
        guard let m = models.first(where: { $0.info.name == key }) else {
            throw ConfigError("unknown model '\(name)'; available: \(models.map { $0.info.name }.joined(separator: ", "))")
        }
        return m
    }

    /// The model's defaults with the given overrides applied and checked: common options
    /// by their reference names, model options by their kebab-case names.
    public static func config(for model: any GANModel.Type, common overrides: [String: Double],
                              extra: [String: Double], data: DataOptions = DataOptions()) throws(ConfigError) -> ModelConfig {
        var c = model.defaults
        for (name, v) in overrides {
            switch name {
            case "n-epochs": c.nEpochs = Int(v)
            case "batch-size": c.batchSize = Int(v)
            case "lr": c.lr = Float(v)
            case "b1": c.b1 = Float(v)
            case "b2": c.b2 = Float(v)
            case "latent-dim": c.latentDim = Int(v)
            case "img-size": c.imgSize = Int(v)
            case "channels": c.channels = Int(v)
            case "sample-interval": c.sampleInterval = Int(v)
            default: throw ConfigError("unknown option --\(name)")
            }
        }
        let positive: [(String, Int)] = [("--n-epochs", c.nEpochs), ("--batch-size", c.batchSize), ("--latent-dim", c.latentDim),
                                         ("--img-size", c.imgSize), ("--channels", c.channels)]
        for (name, v) in positive where v <= 0 { throw ConfigError("\(name) must be positive, got \(v)") }
        guard c.sampleInterval >= 0 else { throw ConfigError("--sample-interval must not be negative, got \(c.sampleInterval)") }
        guard c.lr > 0, c.lr.isFinite else { throw ConfigError("--lr must be positive, got \(c.lr)") }
        guard (0..<1).contains(c.b1), (0..<1).contains(c.b2) else { throw ConfigError("--b1 and --b2 must be in [0, 1), got \(c.b1) and \(c.b2)") }
        guard c.channels == 1 || c.channels == 3 else { throw ConfigError("--channels must be 1 (gray) or 3 (colour), got \(c.channels)") }
        var values: [String: Double] = [:]
        for spec in model.options { values[spec.name] = spec.defaultValue }
        for (name, v) in extra {
            guard let spec = model.options.first(where: { $0.name == name }) else {
                let accepted = model.options.map { "--\($0.name)" }
                throw ConfigError("option --\(name) does not apply to \(model.info.name)"
                    + (accepted.isEmpty ? "" : " (its own options: \(accepted.joined(separator: ", ")))"))
            }
            if spec.kind == .int, v != v.rounded() { throw ConfigError("--\(name) takes a whole number, got \(v)") }
            values[name] = v
        }
        if data.attributes != nil, model.info.data.kind != .attributes {
            throw ConfigError("--selected-attrs applies to the models that train on attributes (stargan), not \(model.info.name)")
        }
        if let load = data.loadSize {
            guard load >= c.imgSize else { throw ConfigError("--load-size must be at least --img-size (\(c.imgSize)), got \(load)") }
        }
        let config = ModelConfig(common: c, extra: values, data: data)
        try model.validate(config)
        return config
    }
}
