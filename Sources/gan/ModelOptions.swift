// The options shared by `train`, `sample` and `bench`: the reference scripts' names in
// kebab-case, each model's own ones, and their resolution into a ModelConfig.
import ArgumentParser
import Foundation
import GANs

struct ModelOptions: ParsableArguments {
    @Option(help: "Number of epochs of training.") var nEpochs: Int?
    @Option(help: "Size of the batches.") var batchSize: Int?
    @Option(help: "Adam: learning rate.") var lr: Double?
    @Option(help: "Adam: decay of first-order momentum.") var b1: Double?
    @Option(help: "Adam: decay of second-order momentum.") var b2: Double?
    @Option(help: "Dimensionality of the latent space.") var latentDim: Int?
    @Option(help: "Size of each image dimension.") var imgSize: Int?
    @Option(help: "Number of image channels.") var channels: Int?
    @Option(help: "Batches between sample grids (images/N.png).") var sampleInterval: Int?
    @Option(help: "Critic steps per generator step (wgan, wgan_gp, wgan_div).") var nCritic: Int?
    @Option(help: "Clip critic weights to [-c, c] (wgan).") var clipValue: Double?
    @Option(help: "Weight of the gradient penalty (wgan_gp, dragan).") var lambdaGp: Double?
    @Option(help: "Number of classes (conditional models).") var nClasses: Int?
    @Option(help: "Latent code dimension (infogan).") var codeDim: Int?
    @Flag(help: "Relativistic average GAN instead of standard (relativistic_gan).") var relAvgGan = false
    @Option(help: "Diversity ratio of the equilibrium (began).") var gamma: Double?
    @Option(help: "Learning rate of the equilibrium term k (began).") var lambdaK: Double?
    @Flag(inversion: .prefixedNo, help: "Wasserstein loss with gradient penalty (clustergan; on by default).") var wassFlag: Bool?
    @Flag(help: "The paper's two-sided gradient penalty on D's probability (dragan).") var twoSided = false
    @Option(help: "Weight of the L1 loss to the target (pix2pix).") var lambdaPixel: Double?
    @Flag(help: "Translate the A half of each pair into B (pix2pix; default B to A, as the reference).") var aToB = false
    @Flag(help: "Train on test/ as well as train/, as the reference (pix2pix).") var trainOnTest = false
    @Flag(help: "Dropout where the reference has it: encoder levels 4-8 and decoder 1-4 (pix2pix; default the paper's decoder 1-3).")
    var referenceDropout = false
    @Option(help: "The dataset: mnist, facades, edges2shoes, a CycleGAN set (monet2photo, ...), celeba, mnistm, bsds500, or folder (default: the model's; see `gan data list`).")
    var dataset: String?
    @Option(help: "The dataset's root folder as its publisher lays it out (default: data/NAME, where `gan data fetch` puts it).")
    var dataDir: String?
    @Option(help: "How images are fitted to --img-size: stretch, center-crop or random-crop (default: the model's reference).")
    var fit: String?
    @Option(help: "Size the shorter side is resized to before cropping to --img-size.") var loadSize: Int?
    @Flag(inversion: .prefixedNo, help: "Random horizontal flips (default: the model's reference).") var flip: Bool?
    @Option(help: "The attributes to condition on, comma-separated names from list_attr_celeba.txt (stargan; default Black_Hair,Blond_Hair,Brown_Hair,Male,Young).")
    var selectedAttrs: String?
    @Option(help: "Residual blocks in each generator (cyclegan, pixelda).") var nResidualBlocks: Int?
    @Option(help: "Weight of the cycle-consistency loss (cyclegan).") var lambdaCyc: Double?
    @Option(help: "Weight of the identity loss (cyclegan).") var lambdaId: Double?
    @Option(help: "Epoch from which the learning rate decays linearly to 0 at --n-epochs (cyclegan).") var decayEpoch: Int?
    @Flag(help: "Add the reference's L1 loss between each translation and its paired target; trains on pairs (discogan; default the paper's unpaired losses).")
    var pairedL1 = false
    @Option(help: "Weight of the cycle-consistency L1 loss (dualgan).") var lambdaCycle: Double?
    @Option(help: "Side of the square hole (ccgan).") var maskSize: Int?
    @Flag(help: "Make the low-resolution input from the unmasked image, as the reference (ccgan; it shows G the hole).")
    var referenceLowResolution = false
    @Option(help: "Weight of the adversarial loss (context_encoder, srgan, esrgan, pixelda).") var lambdaAdv: Double?
    @Flag(help: "The paper's L2 reconstruction loss instead of the reference's L1 (context_encoder).") var l2Loss = false
    @Option(help: "ImageNet VGG19 weights for the perceptual loss: torchvision's vgg19 state dict saved as safetensors (srgan, esrgan; see docs/MODELS.md).")
    var vgg19: String?
    @Option(help: "vgg (the papers' VGG19 feature loss) or pixel (needs no VGG19 weights) (srgan, esrgan).") var contentLoss: String?
    /// `--content-loss pixel` under the name `gan list --defaults` shows.
    @Flag(help: .hidden) var pixelContentLoss = false
    @Flag(help: "VGG19 features after conv3_4, as the reference (srgan; the paper: after conv5_4).") var referenceVggLayer = false
    @Flag(help: "Normalise images with ImageNet's mean and std, as the reference (srgan; out of reach of its Tanh).") var imagenetNormalization = false
    @Option(help: "Residual-in-residual dense blocks in the generator (esrgan).") var residualBlocks: Int?
    @Option(help: "Batches of pixel loss only before adversarial training (esrgan).") var warmupBatches: Int?
    @Option(help: "Slope of the generator's LeakyReLUs (esrgan; the reference: 0.01).") var negativeSlope: Double?
    @Flag(help: "G's relativistic loss with only the fake-vs-real term, as the reference (esrgan).") var referenceAdversarial = false
    @Option(help: "Weight of the task classifier's loss (pixelda).") var lambdaTask: Double?
    @Flag(help: "Train only the task classifier, on the source images: the source-only baseline (pixelda).") var sourceOnly = false
    @Flag(help: "Share the discriminators' last conv blocks, as the paper (cogan; default their first, as the reference).") var paperSharing = false
    @Option(help: "Weight of the attribute classification losses (stargan).") var lambdaCls: Double?
    @Option(help: "Weight of the reconstruction L1 loss (stargan).") var lambdaRec: Double?
    @Option(help: "Stride-2 convs of the critic (stargan).") var nStrided: Int?
    @Option(help: "Weight of the L1 loss between E(G(A, z)) and z (bicyclegan).") var lambdaLatent: Double?
    @Option(help: "Weight of the KL divergence of the encoder's posterior from N(0, I) (bicyclegan).") var lambdaKl: Double?
    @Option(help: "Channels of the encoders' first layer (unit, munit).") var dim: Int?
    @Option(help: "Downsamplings in the encoders, upsamplings in the decoders (munit).") var nDownsample: Int?
    @Option(help: "Residual blocks in the content encoders and decoders (munit).") var nResidual: Int?
    @Option(help: "Weight of the L1 loss of images rebuilt from their own codes (munit).") var lambdaImage: Double?
    @Option(help: "Weight of the style-code reconstruction loss (munit).") var lambdaStyle: Double?
    @Option(help: "Weight of the content-code reconstruction loss (munit).") var lambdaContent: Double?
    @Flag(help: "Translate the B half of each pair into A (bicyclegan, munit; default A to B, as the reference).") var bToA = false

    /// Options the user gave, by kebab-case name.
    var commonOverrides: [String: Double] {
        var o: [String: Double] = [:]
        o["n-epochs"] = nEpochs.map(Double.init)
        o["batch-size"] = batchSize.map(Double.init)
        o["lr"] = lr
        o["b1"] = b1
        o["b2"] = b2
        o["latent-dim"] = latentDim.map(Double.init)
        o["img-size"] = imgSize.map(Double.init)
        o["channels"] = channels.map(Double.init)
        o["sample-interval"] = sampleInterval.map(Double.init)
        return o
    }

    var extraOverrides: [String: Double] {
        var o: [String: Double] = [:]
        o["n-critic"] = nCritic.map(Double.init)
        o["clip-value"] = clipValue
        o["lambda-gp"] = lambdaGp
        o["n-classes"] = nClasses.map(Double.init)
        o["code-dim"] = codeDim.map(Double.init)
        if relAvgGan { o["rel-avg-gan"] = 1 }
        o["gamma"] = gamma
        o["lambda-k"] = lambdaK
        if let wassFlag { o["wass-flag"] = wassFlag ? 1 : 0 }
        if twoSided { o["two-sided"] = 1 }
        o["lambda-pixel"] = lambdaPixel
        if aToB { o["a-to-b"] = 1 }
        if trainOnTest { o["train-on-test"] = 1 }
        if referenceDropout { o["reference-dropout"] = 1 }
        o["n-residual-blocks"] = nResidualBlocks.map(Double.init)
        o["lambda-cyc"] = lambdaCyc
        o["lambda-id"] = lambdaId
        o["decay-epoch"] = decayEpoch.map(Double.init)
        if pairedL1 { o["paired-l1"] = 1 }
        o["lambda-cycle"] = lambdaCycle
        o["mask-size"] = maskSize.map(Double.init)
        if referenceLowResolution { o["reference-low-resolution"] = 1 }
        o["lambda-adv"] = lambdaAdv
        if l2Loss { o["l2-loss"] = 1 }
        if contentLoss == "pixel" || pixelContentLoss { o["pixel-content-loss"] = 1 }
        if referenceVggLayer { o["reference-vgg-layer"] = 1 }
        if imagenetNormalization { o["imagenet-normalization"] = 1 }
        o["residual-blocks"] = residualBlocks.map(Double.init)
        o["warmup-batches"] = warmupBatches.map(Double.init)
        o["negative-slope"] = negativeSlope
        if referenceAdversarial { o["reference-adversarial"] = 1 }
        o["lambda-task"] = lambdaTask
        if sourceOnly { o["source-only"] = 1 }
        if paperSharing { o["paper-sharing"] = 1 }
        o["lambda-cls"] = lambdaCls
        o["lambda-rec"] = lambdaRec
        o["n-strided"] = nStrided.map(Double.init)
        o["lambda-latent"] = lambdaLatent
        o["lambda-kl"] = lambdaKl
        o["dim"] = dim.map(Double.init)
        o["n-downsample"] = nDownsample.map(Double.init)
        o["n-residual"] = nResidual.map(Double.init)
        o["lambda-image"] = lambdaImage
        o["lambda-style"] = lambdaStyle
        o["lambda-content"] = lambdaContent
        if bToA { o["b-to-a"] = 1 }
        return o
    }

    /// Files the user gave, by option name, as absolute paths.
    var files: [String: String] {
        var f: [String: String] = [:]
        f["vgg19"] = vgg19.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        return f
    }

    /// The data choices the user made (nil: the model's default).
    func dataOptions() throws -> DataOptions {
        var fitChoice: ImageFit?
        if let fit {
            guard let f = ImageFit(rawValue: fit) else {
                throw ToolError("--fit must be one of \(ImageFit.allCases.map(\.rawValue).joined(separator: ", ")), got \(fit)")
            }
            fitChoice = f
        }
        if let loadSize, loadSize <= 0 { throw ToolError("--load-size must be positive, got \(loadSize)") }
        let directory = dataDir.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let attributes = selectedAttrs.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        return DataOptions(dataset: dataset?.lowercased(), directory: directory, fit: fitChoice, loadSize: loadSize, flip: flip, attributes: attributes)
    }

    func resolve(_ model: any GANModel.Type) throws -> ModelConfig {
        let data = try dataOptions()
        if let contentLoss, !["vgg", "pixel"].contains(contentLoss) {
            throw ToolError("--content-loss must be vgg or pixel, got \(contentLoss)")
        }
        do {
            var config = try Zoo.config(for: model, common: commonOverrides, extra: extraOverrides, data: data)
            config.files = files
            return config
        } catch {
            throw ToolError(error.message)
        }
    }
}
