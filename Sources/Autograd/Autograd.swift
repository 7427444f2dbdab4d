// Define-by-run reverse-mode autograd. Every recorded op keeps a closure that maps the
// gradient of its output to gradients of its inputs, written with differentiable tensor
// ops; running it with recording on (createGraph) makes gradients differentiable again.

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

/// One recorded operation.
final class GradNode {
    let name: String
    var inputs: [Tensor]
    /// (gradient of the output, the output) -> gradient of each input (nil: none).
    var backward: ((Tensor, Tensor) -> [Tensor?])?

    init(name: String, inputs: [Tensor], backward: @escaping (Tensor, Tensor) -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }

    /// Dismantles long chains iteratively: releasing a 10,000-op graph recursively would
    /// overflow the stack.
    deinit {
        backward = nil
        guard !inputs.isEmpty else { return }
        var pending = inputs
        inputs.removeAll()
        while var t = pending.popLast() {
            guard isKnownUniquelyReferenced(&t), var node = t.gradFn else { continue }
            t.gradFn = nil
            guard isKnownUniquelyReferenced(&node) else { continue }
            node.backward = nil
            pending.append(contentsOf: node.inputs)
            node.inputs.removeAll()
        }
    }
}

extension Tensor {
    /// True when an op on these inputs must be recorded.
    @inline(__always)
    static func recording(_ inputs: Tensor...) -> Bool {
        guard GradMode.isEnabled else { return false }
        for t in inputs where t.requiresGrad { return true }
        return false
    }

    /// Records that `self` was produced by `op` from `inputs` (only when recording).
    @discardableResult
    func recorded(_ op: String, _ inputs: [Tensor], _ backward: @escaping (Tensor, Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        gradFn = GradNode(name: op, inputs: inputs, backward: backward)
        return self
    }

    /// Accumulates d(self)/d(leaf) into every leaf's `.grad`. `self` must be a scalar
    /// unless `seed` (the gradient of some loss with respect to `self`) is given.
    public func backward(seed: Tensor? = nil, retainGraph: Bool = false, createGraph: Bool = false) throws(AutogradError) {
        _ = try Autograd.run(outputs: [self], seeds: seed.map { [$0] }, targets: nil,
                             retainGraph: retainGraph || createGraph, createGraph: createGraph)
    }
}

public enum Autograd {
    /// Gradients of `outputs` (weighted by `seeds`, ones for scalars) with respect to
    /// `inputs`, returned rather than accumulated. With `createGraph` the results are
    /// themselves differentiable (gradient penalties). An input that the outputs do not
    /// depend on gets nil (or an error when `allowUnused` is false).
    public static func grad(of outputs: [Tensor], withRespectTo inputs: [Tensor], seeds: [Tensor]? = nil,
                            createGraph: Bool = false, retainGraph: Bool? = nil,
                            allowUnused: Bool = true) throws(AutogradError) -> [Tensor?] {
        let r = try run(outputs: outputs, seeds: seeds, targets: inputs,
                        retainGraph: retainGraph ?? createGraph, createGraph: createGraph)
        if !allowUnused, let i = r.firstIndex(where: { $0 == nil }) { throw .inputNotReached(index: i) }
        return r
    }

    static func run(outputs: [Tensor], seeds: [Tensor]?, targets: [Tensor]?,
                    retainGraph: Bool, createGraph: Bool) throws(AutogradError) -> [Tensor?] {
        // Validate outputs and seeds.
        var initial: [Tensor] = []
        for (i, out) in outputs.enumerated() {
            guard out.requiresGrad else { throw .doesNotRequireGrad(index: i) }
            if let seeds, i < seeds.count {
                guard seeds[i].shape == out.shape else { throw .seedShapeMismatch(output: out.shape, seed: seeds[i].shape) }
                initial.append(seeds[i])
            } else {
                guard out.count == 1 else { throw .nonScalarWithoutSeed(shape: out.shape) }
                initial.append(Tensor.ones(out.shape))
            }
        }

        // Post-order over tensors (iterative DFS; graphs can be deep).
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = []
        for out in outputs where visited.insert(ObjectIdentifier(out)).inserted {
            stack.append((out, 0))
            while let (t, next) = stack.last {
                if let node = t.gradFn, next < node.inputs.count {
                    stack[stack.count - 1].1 = next + 1
                    let child = node.inputs[next]
                    if child.requiresGrad, visited.insert(ObjectIdentifier(child)).inserted {
                        stack.append((child, 0))
                    }
                } else {
                    order.append(t)
                    stack.removeLast()
                }
            }
        }

        // For grad(of:), only tensors from which a target can be reached need work.
        var targetIndex: [ObjectIdentifier: [Int]] = [:]
        var needed = Set<ObjectIdentifier>()
        if let targets {
            for (i, t) in targets.enumerated() { targetIndex[ObjectIdentifier(t), default: []].append(i) }
            for t in order {  // children come before parents in post-order
                let id = ObjectIdentifier(t)
                if targetIndex[id] != nil || (t.gradFn?.inputs.contains { needed.contains(ObjectIdentifier($0)) } ?? false) {
                    needed.insert(id)
                }
            }
        }

        var results = [Tensor?](repeating: nil, count: targets?.count ?? 0)
        var grads: [ObjectIdentifier: Tensor] = [:]
        try GradMode.with(enabled: createGraph) { () throws(AutogradError) in
            for (out, seed) in zip(outputs, initial) {
                let id = ObjectIdentifier(out)
                grads[id] = grads[id].map { $0 + seed } ?? seed
            }
            for t in order.reversed() {
                let id = ObjectIdentifier(t)
                guard let g = grads.removeValue(forKey: id) else { continue }
                if let slots = targetIndex[id] {
                    for s in slots { results[s] = g }
                }
                guard let node = t.gradFn else {
                    if targets == nil { accumulate(g, into: t, createGraph: createGraph) }
                    continue
                }
                if targets != nil && !needed.contains(id) { continue }
                guard let backward = node.backward else { throw .graphFreed(op: node.name) }
                let inputGrads = backward(g, t)
                for (input, ig) in zip(node.inputs, inputGrads) {
                    guard input.requiresGrad, let ig else { continue }
                    if targets != nil && !needed.contains(ObjectIdentifier(input)) { continue }
                    if ig.shape != input.shape {
                        shapeFailure("autograd: backward of \(node.name) produced a gradient of shape \(Shape.describe(ig.shape)) for an input of shape \(Shape.describe(input.shape))")
                    }
                    let iid = ObjectIdentifier(input)
                    grads[iid] = grads[iid].map { $0 + ig } ?? ig
                }
            }
        }
        if !retainGraph {
            for t in order { t.gradFn?.backward = nil }
        }
        return results
    }

    /// Leaf accumulation. Without createGraph the first gradient is copied so that later
    /// in-place accumulation never writes into a tensor shared with the graph.
    private static func accumulate(_ g: Tensor, into leaf: Tensor, createGraph: Bool) {
        if createGraph {
            leaf.grad = leaf.grad.map { $0 + g } ?? g
        } else if let existing = leaf.grad, existing.gradFn == nil, existing.shape == g.shape {
            Kernels.addInPlace(existing, g)
        } else {
            leaf.grad = leaf.grad.map { $0.detach() + g } ?? g.copy()
        }
    }
}
