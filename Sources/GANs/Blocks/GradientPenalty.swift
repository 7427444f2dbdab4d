// The gradient penalties of wgan_gp, dragan and clustergan: the norm of a critic's gradient
// with respect to its input, kept differentiable (a gradient of a gradient) so the penalty
// trains the critic.
import Autograd

/// ||grad_x critic(x)||_2 for each image x of `points` ([N]). `epsilon` is added under the
/// square root where a reference does (clustergan's 1e-12).
func inputGradientNorms(_ critic: (Tensor) -> Tensor, at points: Tensor, epsilon: Float? = nil) throws -> Tensor {
    let x = points.requiringGrad()
    let score = critic(x)
    let gradient = try Autograd.grad(of: [score], withRespectTo: [x], seeds: [Tensor.ones(score.shape)], createGraph: true)[0]!
    let rows = gradient.flatten()
    guard let epsilon else { return rows.norm(dims: [1]) }
    return (rows.square().sum(dim: 1) + epsilon).sqrt()
}

/// alpha a + (1 - alpha) b: points between real and generated images (alpha per image as
/// [N, 1, 1, 1], or per element).
func interpolates(_ a: Tensor, _ b: Tensor, alpha: Tensor) -> Tensor { alpha * a + (1 - alpha) * b }
