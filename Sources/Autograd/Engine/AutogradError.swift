// What a backward pass or a gradient request can fail with.

public enum AutogradError: Error, CustomStringConvertible, Equatable {
    case doesNotRequireGrad(index: Int)
    case nonScalarWithoutSeed(shape: [Int])
    case seedShapeMismatch(output: [Int], seed: [Int])
    case graphFreed(op: String)
    case inputNotReached(index: Int)

    public var description: String {
        switch self {
        case .doesNotRequireGrad(let i):
            return "autograd: output \(i) does not require grad and has no grad_fn"
        case .nonScalarWithoutSeed(let s):
            return "autograd: gradient can be implicitly created only for scalar outputs; output has shape \(Shape.describe(s)), pass a seed"
        case .seedShapeMismatch(let o, let s):
            return "autograd: seed of shape \(Shape.describe(s)) does not match output of shape \(Shape.describe(o))"
        case .graphFreed(let op):
            return "autograd: trying to backward through the graph a second time (at \(op)); its saved tensors were freed. Pass retainGraph: true the first time"
        case .inputNotReached(let i):
            return "autograd: input \(i) is not reachable from the outputs (it was not used to compute them)"
        }
    }
}
