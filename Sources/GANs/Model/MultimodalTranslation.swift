// Image-to-image models with many outputs for one input, one per latent or style code
// (bicyclegan, munit): what `gan sample --input` pictures and `gan eval` measures.
import Autograd
import NN

public protocol MultimodalTranslation: GANModel {
    /// The length of the code each output is made from.
    var codeDim: Int { get }
    /// One output per input, input i made with code i ([N, codeDim]), in the networks'
    /// current mode. `translate` uses the prior's mean, the zero code.
    func translate(_ inputs: Tensor, codes: Tensor) throws(ConfigError) -> Tensor
}

extension MultimodalTranslation {
    /// Each input followed by its outputs for `count` codes drawn N(0, 1) from `rng` (the
    /// same codes for every input), side by side: [N, C, H, (1 + count) W]; in eval mode,
    /// without a graph.
    public func outputRows(_ inputs: Tensor, count: Int, generator rng: RandomGenerator) throws(ConfigError) -> Tensor {
        let outputs = try outputsPerCode(inputs, count: count, generator: rng)
        return Tensor.concat([inputs] + outputs, dim: 3)
    }

    /// The outputs of every input for each of `count` codes N(0, 1) (one tensor per code).
    public func outputsPerCode(_ inputs: Tensor, count: Int, generator rng: RandomGenerator) throws(ConfigError) -> [Tensor] {
        let codes = Tensor.normal([count, codeDim], generator: rng)
        let n = inputs.shape[0]
        return try inEvaluationMode(networks.map(\.module)) { () throws(ConfigError) in
            try (0..<count).map { (j: Int) throws(ConfigError) -> Tensor in
                let code = codes.slice(dim: 0, start: j, end: j + 1)
                return try translate(inputs, codes: Tensor.concat(Array(repeating: code, count: n), dim: 0))
            }
        }
    }

    /// Diversity: the mean L1 distance between two outputs for the same input, in image
    /// units ([0, 1]), over all pairs of `count` codes and all inputs (0 for a model that
    /// ignores its code).
    public func diversity(_ inputs: Tensor, count: Int = 8, generator rng: RandomGenerator) throws(ConfigError) -> Float {
        precondition(count >= 2, "diversity needs at least two codes")
        let normalization = Self.data(for: config).normalization
        let outputs = try outputsPerCode(inputs, count: count, generator: rng).map { normalization.unitRange($0) }
        var total: Float = 0, pairs = 0
        for i in 0..<count {
            for j in (i + 1)..<count {
                total += withoutGrad { l1Loss(outputs[i], outputs[j]).item() }
                pairs += 1
            }
        }
        return total / Float(pairs)
    }
}
