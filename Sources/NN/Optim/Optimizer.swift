// The shared part of every optimiser: the parameter list, per-parameter state buffers,
// step counts, zero-grad, and saving/restoring that state as a state dict.
import Autograd

public struct OptimizerStateError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { "cannot load optimiser state: \(message)" }
}

open class Optimizer {
    /// The tensors updated by `step()`, in the order given (the state's index).
    public let parameters: [Tensor]
    public var learningRate: Float
    /// Per-parameter buffers (exp_avg, momentum_buffer, ...), created on first use.
    public internal(set) var state: [[String: Tensor]]
    /// Per-parameter number of steps taken (torch keeps one per parameter too).
    public internal(set) var steps: [Int]

    public init(parameters: [Tensor], learningRate: Float) {
        // Deduplicate shared tensors, as torch warns about and would double-update.
        var seen = Set<ObjectIdentifier>()
        self.parameters = parameters.filter { seen.insert(ObjectIdentifier($0)).inserted }
        self.learningRate = learningRate
        state = Array(repeating: [:], count: self.parameters.count)
        steps = Array(repeating: 0, count: self.parameters.count)
    }

    /// Index of each parameter in `parameters`, for `consume(_:gradient:)`.
    private lazy var indexOf: [ObjectIdentifier: Int] = Dictionary(
        uniqueKeysWithValues: parameters.enumerated().map { (ObjectIdentifier($0.element), $0.offset) })

    /// The position of `p` in `parameters`, if it is one of them.
    func index(of p: Tensor) -> Int? { indexOf[ObjectIdentifier(p)] }

    /// Updates parameter `p` from `gradient` at once, during a backward pass (see
    /// `Tensor.backward(consumingLeafGradients:)`); false when `p` is not this optimiser's or
    /// the optimiser cannot update one parameter alone, and then `step()` does it later.
    /// Each parameter's update depends on its own gradient and state only, so the result
    /// is the same as `step()` after the pass.
    open func consume(_ p: Tensor, gradient: Tensor) -> Bool { false }

    /// The optimiser's name in saved state (checked on load).
    open var kind: String { String(describing: type(of: self)) }

    /// One update from the current gradients; parameters without a gradient are skipped.
    open func step() { fatalError("\(kind) does not implement step()") }

    /// Clears every parameter's gradient (torch's default `set_to_none=True`).
    public func zeroGrad() {
        for p in parameters { p.grad = nil }
    }

    /// The buffer `name` of parameter `i`, created as zeros of its shape on first use.
    func buffer(_ name: String, _ i: Int) -> Tensor {
        if let b = state[i][name] { return b }
        let b = Tensor.longLivedZeros(parameters[i].shape)
        state[i][name] = b
        return b
    }

    /// `state.<i>.<buffer>` tensors, `state.<i>.step` (I64), and the learning rate and
    /// kind in metadata. Tensors are copies.
    public func stateDict() -> StateDict { stateDict(copying: true) }

    /// With `copying: false` the dict holds the live buffers (for writing them out at once).
    func stateDict(copying: Bool) -> StateDict {
        var dict = StateDict()
        for i in parameters.indices {
            for name in state[i].keys.sorted() {
                let b = state[i][name]!
                dict.set("state.\(i).\(name)", copying ? b.copy() : b)
            }
            if steps[i] > 0 { dict.set("state.\(i).step", Tensor(Float(steps[i])), fileType: .i64) }
        }
        dict.metadata = ["optimizer": kind, "lr": String(learningRate), "parameters": String(parameters.count)]
        return dict
    }

    /// Restores state saved by `stateDict()` from an optimiser over the same parameters.
    public func loadStateDict(_ dict: StateDict) throws(OptimizerStateError) {
        if let k = dict.metadata["optimizer"], k != kind { throw OptimizerStateError(message: "state is for \(k), not \(kind)") }
        if let n = dict.metadata["parameters"], n != String(parameters.count) {
            throw OptimizerStateError(message: "state is for \(n) parameters, this optimiser has \(parameters.count)")
        }
        var newState = Array(repeating: [String: Tensor](), count: parameters.count)
        var newSteps = Array(repeating: 0, count: parameters.count)
        for name in dict.names {
            let parts = name.split(separator: ".", maxSplits: 2).map(String.init)
            guard parts.count == 3, parts[0] == "state", let i = Int(parts[1]), parameters.indices.contains(i) else {
                throw OptimizerStateError(message: "unexpected entry '\(name)'")
            }
            let t = dict[name]!
            if parts[2] == "step" {
                newSteps[i] = Int(t.item())
            } else {
                guard t.shape == parameters[i].shape else {
                    throw OptimizerStateError(message: "'\(name)' has shape \(t.shape), parameter \(i) has \(parameters[i].shape)")
                }
                newState[i][parts[2]] = t.longLivedCopy()
            }
        }
        state = newState
        steps = newSteps
        if let lr = dict.metadata["lr"].flatMap(Float.init) { learningRate = lr }
    }
}

extension Optimizer {
    public func save(to path: String) throws(SafeTensorsError) { try SafeTensors.write(stateDict(copying: false), to: path) }
    public func load(from path: String) throws { try loadStateDict(try SafeTensors.read(path)) }
}
