// In-place initialisers with torch.nn.init's formulas (fans, gains, bounds). Draws come
// from our Philox generator, so values match PyTorch's in distribution, not bit for bit.
import Foundation
import Autograd

public enum Init {
    public enum Nonlinearity: Sendable {
        case linear, conv, sigmoid, tanh, relu
        /// Leaky ReLU with this negative slope (torch's `a`).
        case leakyRelu(Float)
        case selu
    }

    public enum FanMode: Sendable { case fanIn, fanOut }

    /// torch.nn.init.calculate_gain.
    public static func gain(_ nonlinearity: Nonlinearity) -> Float {
        switch nonlinearity {
        case .linear, .conv, .sigmoid: return 1
        case .tanh: return 5.0 / 3
        case .relu: return Float(2.0.squareRoot())
        case .leakyRelu(let a): return (2 / (1 + a * a)).squareRoot()
        case .selu: return 0.75
        }
    }

    /// torch's _calculate_fan_in_and_fan_out: dims 1 and 0 times the receptive field.
    /// (For a transposed convolution's [in, out, kh, kw] weight this makes fan_in the
    /// output channels times the kernel, as in PyTorch.)
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 2, "fan in and fan out need a tensor with at least 2 dimensions, got \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    public static func uniform(_ t: Tensor, low: Float = 0, high: Float = 1, generator: RandomGenerator? = nil) {
        t.fillUniform(low: low, high: high, generator: generator ?? DefaultGenerator.shared)
    }

    public static func normal(_ t: Tensor, mean: Float = 0, std: Float = 1, generator: RandomGenerator? = nil) {
        t.fillNormal(mean: mean, std: std, generator: generator ?? DefaultGenerator.shared)
    }

    public static func constant(_ t: Tensor, _ value: Float) {
        t.fill(value)
    }

    public static func zeros(_ t: Tensor) { constant(t, 0) }
    public static func ones(_ t: Tensor) { constant(t, 1) }

    /// U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)).
    public static func xavierUniform(_ t: Tensor, gain: Float = 1, generator: RandomGenerator? = nil) {
        let (fi, fo) = fans(t.shape)
        let bound = gain * (6 / Float(fi + fo)).squareRoot()
        uniform(t, low: -bound, high: bound, generator: generator)
    }

    /// N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)).
    public static func xavierNormal(_ t: Tensor, gain: Float = 1, generator: RandomGenerator? = nil) {
        let (fi, fo) = fans(t.shape)
        normal(t, std: gain * (2 / Float(fi + fo)).squareRoot(), generator: generator)
    }

    /// U(-b, b), b = gain * sqrt(3 / fan). torch's defaults: a = 0, fan_in, leaky_relu.
    public static func kaimingUniform(_ t: Tensor, a: Float = 0, mode: FanMode = .fanIn,
                                      nonlinearity: Nonlinearity? = nil, generator: RandomGenerator? = nil) {
        let fan = mode == .fanIn ? fans(t.shape).fanIn : fans(t.shape).fanOut
        let g = gain(nonlinearity ?? .leakyRelu(a))
        let bound = g * (3 / Float(fan)).squareRoot()
        uniform(t, low: -bound, high: bound, generator: generator)
    }

    /// N(0, std^2), std = gain / sqrt(fan).
    public static func kaimingNormal(_ t: Tensor, a: Float = 0, mode: FanMode = .fanIn,
                                     nonlinearity: Nonlinearity? = nil, generator: RandomGenerator? = nil) {
        let fan = mode == .fanIn ? fans(t.shape).fanIn : fans(t.shape).fanOut
        normal(t, std: gain(nonlinearity ?? .leakyRelu(a)) / Float(fan).squareRoot(), generator: generator)
    }

    /// PyTorch's default for Linear and convolution layers: kaiming-uniform with
    /// a = sqrt(5) (i.e. U(+-1/sqrt(fan_in))) for the weight, U(+-1/sqrt(fan_in)) for the bias.
    public static func defaultLayer(weight: Tensor, bias: Tensor?, generator: RandomGenerator? = nil) {
        kaimingUniform(weight, a: Float(5.0.squareRoot()), generator: generator)
        if let bias {
            let fanIn = fans(weight.shape).fanIn
            let bound: Float = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
            uniform(bias, low: -bound, high: bound, generator: generator)
        }
    }
}
