// On Convergence and Stability of GANs (DRAGAN) — Kodali et al., 2017, arXiv:1705.07215
import Autograd
import NN

/// dcgan's networks, BCE losses and update order; D also pays a gradient penalty at points
/// x + alpha * delta around the real data, delta ~ 0.5 * std(x) * U(0, 1).
/// Differences from the reference, which reads an undefined `mnist_loader`: D steps on its
/// BCE loss plus the penalty (the reference back-propagates only the penalty, so D never
/// learns to tell real from fake), and the penalty takes the gradient's norm over each
/// whole image as the paper (the reference's norm(2, dim=1) of [N, 1, H, W] is per pixel).
/// Differs from the paper: the penalty is lambda * max(0, ||grad logit D|| - 1)^2 on D's
/// score before the sigmoid, which stops sharp gradients around the data as the paper
/// intends; the paper's two-sided (||grad D|| - 1)^2 on D's probability pushes D to be
/// steep everywhere near the data, D stops telling real from fake and the samples stay
/// blobs (FD 972 after 400 iterations, against 628 after 300 with no penalty and 569
/// after an epoch with this one). --two-sided restores the paper's form.
public final class DRAGAN: ZooModel, GANModel {
    public static let info = ModelInfo(name: "dragan", title: "On Convergence and Stability of GANs",
                                       citation: "Kodali et al., 2017, arXiv:1705.07215", architecture: .conv)
    public static var defaults: CommonOptions { CommonOptions(imgSize: 32, sampleInterval: 1000) }
    public static var options: [OptionSpec] {
        [OptionSpec("lambda-gp", .float, 10, "Weight of the gradient penalty."),
         OptionSpec("two-sided", .flag, 0, "The paper's two-sided penalty (||grad D|| - 1)^2 on D's probability output.")]
    }

    public static func validate(_ config: ModelConfig) throws(ConfigError) {
        try validateConvImageSize(config, model: "dragan")
        guard config.float("lambda-gp") >= 0 else { throw ConfigError("--lambda-gp must not be negative, got \(config.float("lambda-gp"))") }
    }

    let netG: ConvGenerator
    let netD: DCGANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    let noise: RandomGenerator
    /// Perturbations and interpolation weights of the gradient penalty.
    let penalty: RandomGenerator

    public init(config: ModelConfig, seed: UInt64) {
        let parts = ModelParts(config: config, seed: seed)
        noise = parts.stream("noise")
        (netG, netD) = parts.dcganNetworks(dropout: parts.stream("dropout"))
        penalty = parts.stream("penalty")
        optimizerG = parts.adam("optimizer_G", netG)
        optimizerD = parts.adam("optimizer_D", netD)
        super.init(parts)
    }

    /// lambda_gp * E[max(0, ||grad logit D(x^)||_2 - 1)^2] (or the two-sided form on D's
    /// output) at x^ = alpha x + (1 - alpha)(x + 0.5 std(x) u), alpha and u ~ U(0, 1) per
    /// element (as the reference and the authors' code).
    func gradientPenalty(_ x: Tensor) throws -> Tensor {
        let alpha = Tensor.uniform(x.shape, generator: penalty)
        let std = x.variance().sqrt()
        let perturbed = x + 0.5 * std * Tensor.uniform(x.shape, generator: penalty)
        let twoSided = config.flag("two-sided")
        let norms = try inputGradientNorms(twoSided ? netD.callAsFunction : netD.logits, at: interpolates(x, perturbed, alpha: alpha))
        let excess = norms - 1
        return config.float("lambda-gp") * (twoSided ? excess : excess.relu()).square().mean()
    }

    public func trainStep(_ batch: TrainingBatch, batchesDone: Int) throws -> Losses {
        let real = batch.images, n = real.shape[0]
        let valid = Tensor.ones([n, 1]), fake = Tensor.zeros([n, 1])

        let z = Tensor.normal([n, latentDim], generator: noise)
        let generated = netG(z)
        let gLoss = frozen(netD) { binaryCrossEntropy(netD(generated), valid) }
        try optimize(optimizerG, gLoss)

        let dLoss = (binaryCrossEntropy(netD(real), valid) + binaryCrossEntropy(netD(generated.detach()), fake)) / 2
        try optimize(optimizerD, dLoss + (try gradientPenalty(real)))
        // The reference prints the BCE part of D's loss.
        return [("d_loss", dLoss.item()), ("g_loss", gLoss.item())]
    }
}
