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

/// One recorded operation. It links to the operations that produced its inputs (not to
/// the input tensors themselves, except leaves), so an intermediate tensor is freed as soon
/// as nothing needs it: what a backward needs, its closure captures (PyTorch's "saved
/// tensors"); an op that needs its own output keeps only that output's storage.
final class GradNode {
    enum Edge {
        /// The input does not require gradients.
        case constant
        /// A leaf tensor that requires gradients (a parameter, or a marked input).
        case leaf(Tensor)
        /// The operation that produced the input.
        case node(GradNode)
    }

    let name: String
    var edges: [Edge]
    let inputShapes: [[Int]]
    let outputShape: [Int]
    /// The output's elements, for backward passes written in terms of the output.
    var savedOutput: TensorStorage?
    /// (gradient of the output, the output when saved) -> gradient of each input.
    var backward: ((Tensor, Tensor?) -> [Tensor?])?

    init(name: String, inputs: [Tensor], outputShape: [Int], savedOutput: TensorStorage?,
         backward: @escaping (Tensor, Tensor?) -> [Tensor?]) {
        self.name = name
        edges = inputs.map { t in
            guard t.requiresGrad else { return .constant }
            if let node = t.gradFn { return .node(node) }
            return .leaf(t)
        }
        inputShapes = inputs.map(\.shape)
        self.outputShape = outputShape
        self.savedOutput = savedOutput
        self.backward = backward
    }

    /// A differentiable handle on the saved output (the same elements, produced by this node).
    func outputHandle() -> Tensor? {
        guard let savedOutput else { return nil }
        let t = Tensor(shape: outputShape, storage: savedOutput, requiresGrad: true)
        t.gradFn = self
        return t
    }

    /// Dismantles long chains iteratively: releasing a 10,000-op graph recursively would
    /// overflow the stack.
    deinit {
        backward = nil
        var pending: [GradNode] = []
        for case .node(let n) in edges { pending.append(n) }
        edges.removeAll()
        while var n = pending.popLast() {
            guard isKnownUniquelyReferenced(&n) else { continue }
            n.backward = nil
            for case .node(let m) in n.edges { pending.append(m) }
            n.edges.removeAll()
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
    /// `backward` maps the output's gradient to the inputs' gradients.
    @discardableResult
    func recorded(_ op: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        gradFn = GradNode(name: op, inputs: inputs, outputShape: shape, savedOutput: nil) { g, _ in backward(g) }
        return self
    }

    /// As `recorded`, for ops whose backward is written with their output (exp, tanh, ...).
    @discardableResult
    func recordedSavingOutput(_ op: String, _ inputs: [Tensor], _ backward: @escaping (Tensor, Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        gradFn = GradNode(name: op, inputs: inputs, outputShape: shape, savedOutput: storage) { g, out in backward(g, out!) }
        return self
    }

    /// Accumulates d(self)/d(leaf) into every leaf's `.grad`. `self` must be a scalar
    /// unless `seed` (the gradient of some loss with respect to `self`) is given.
    public func backward(seed: Tensor? = nil, retainGraph: Bool = false, createGraph: Bool = false) throws(AutogradError) {
        _ = try Autograd.run(outputs: [self], seeds: seed.map { [$0] }, targets: nil,
                             retainGraph: retainGraph || createGraph, createGraph: createGraph)
    }

    /// As `backward()`, but each leaf's gradient goes to `consume` as soon as it is complete,
    /// while the pass goes on (torch's post-accumulate-grad hooks): an optimiser can update
    /// that parameter and drop its gradient there, so a network's gradients never all exist
    /// at once and each is still in cache when used. When `consume` returns false the
    /// gradient is accumulated into `.grad` as usual. A leaf's gradient is complete once every
    /// recorded op that used the leaf has run its backward, and no later op of the pass reads
    /// the leaf, so updating it in place there gives the same numbers as updating after the
    /// pass. (`.grad` already holding a gradient is added first.)
    ///
    /// With `only`, gradients flow only towards those leaves (torch's `backward(inputs=)`):
    /// the others (a gradient penalty's inputs, say) get none, and no op computes a
    /// gradient nothing wants.
    public func backward(only leaves: [Tensor]? = nil, consumingLeafGradients consume: (Tensor, Tensor) -> Bool) throws(AutogradError) {
        try withoutActuallyEscaping(consume) { (consume) throws(AutogradError) in
            _ = try Autograd.run(outputs: [self], seeds: nil, targets: nil, retainGraph: false, createGraph: false,
                                 only: leaves, consume: consume)
        }
    }
}

/// A leaf's gradient while a backward pass sums it (a class, so the sum can be checked for
/// unique ownership where it is stored).
final class LeafGradient {
    let leaf: Tensor
    var grad: Tensor
    init(leaf: Tensor, grad: Tensor) {
        self.leaf = leaf
        self.grad = grad
    }
}

public enum Autograd {
    /// While a node's backward runs: which of its inputs need a gradient (nil: all that
    /// require one). Set by `run` when it prunes (grad(of:) and backward(only:)); the costly
    /// backward closures (products, convolutions) check it, so a gradient penalty's
    /// first-order pass computes no weight gradients and the final pass no input gradients.
    nonisolated(unsafe) static var inputNeeds: [Bool]? = nil

    /// Whether input `k` of the op whose backward is running needs its gradient.
    @inline(__always)
    static func needsGradient(ofInput k: Int) -> Bool {
        guard let needs = inputNeeds, k < needs.count else { return true }
        return needs[k]
    }

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
                    retainGraph: Bool, createGraph: Bool, only: [Tensor]? = nil,
                    consume: ((Tensor, Tensor) -> Bool)? = nil) throws(AutogradError) -> [Tensor?] {
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

        // Post-order over nodes (iterative DFS; graphs can be deep).
        var order: [GradNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(GradNode, Int)] = []
        for root in outputs.compactMap(\.gradFn) where visited.insert(ObjectIdentifier(root)).inserted {
            stack.append((root, 0))
            while let (node, next) = stack.last {
                if next < node.edges.count {
                    stack[stack.count - 1].1 = next + 1
                    if case .node(let child) = node.edges[next], visited.insert(ObjectIdentifier(child)).inserted {
                        stack.append((child, 0))
                    }
                } else {
                    order.append(node)
                    stack.removeLast()
                }
            }
        }

        // For grad(of:), only nodes from which a target can be reached need work. A target
        // is a leaf tensor or the node that produced a non-leaf tensor.
        var targetNodes: [ObjectIdentifier: [Int]] = [:], targetLeaves: [ObjectIdentifier: [Int]] = [:]
        var needed = Set<ObjectIdentifier>()
        // Pruning: only nodes that lead to a wanted leaf (or target node) do work.
        let pruning = targets != nil || only != nil
        var wantedLeaves = Set<ObjectIdentifier>()
        if let targets {
            for (i, t) in targets.enumerated() {
                if let n = t.gradFn { targetNodes[ObjectIdentifier(n), default: []].append(i) } else {
                    targetLeaves[ObjectIdentifier(t), default: []].append(i)
                    wantedLeaves.insert(ObjectIdentifier(t))
                }
            }
        }
        for t in only ?? [] where t.gradFn == nil { wantedLeaves.insert(ObjectIdentifier(t)) }
        if pruning {
            for node in order {  // children come before parents in post-order
                let reaches = node.edges.contains { edge in
                    switch edge {
                    case .constant: return false
                    case .leaf(let t): return wantedLeaves.contains(ObjectIdentifier(t))
                    case .node(let n): return needed.contains(ObjectIdentifier(n))
                    }
                }
                if reaches || targetNodes[ObjectIdentifier(node)] != nil { needed.insert(ObjectIdentifier(node)) }
            }
        }

        var results = [Tensor?](repeating: nil, count: targets?.count ?? 0)
        var grads: [ObjectIdentifier: Tensor] = [:]
        var leafGrads: [ObjectIdentifier: LeafGradient] = [:]
        func addLeaf(_ t: Tensor, _ g: Tensor) {
            let id = ObjectIdentifier(t)
            guard let e = leafGrads[id] else {
                leafGrads[id] = LeafGradient(leaf: t, grad: g)
                return
            }
            // A sum that only this pass holds (no other tensor, view or seed shares it) takes
            // the next term in place: a weight used twice (a critic's scores and its gradient
            // penalty) then never has three weight-sized gradients alive at once.
            if !createGraph && e.grad.gradFn == nil && isKnownUniquelyReferenced(&e.grad)
                && isKnownUniquelyReferenced(&e.grad.storage) {
                Kernels.addInPlace(e.grad, g)
            } else {
                e.grad = e.grad + g
            }
        }
        // With `consume`: how many recorded uses of each leaf are still to be processed; at
        // zero its gradient is complete and handed over.
        var pendingUses: [ObjectIdentifier: Int] = [:]
        if consume != nil {
            for node in order {
                for case .leaf(let t) in node.edges { pendingUses[ObjectIdentifier(t), default: 0] += 1 }
            }
        }
        func leafUsesDone(_ node: GradNode) {
            guard let consume else { return }
            for case .leaf(let t) in node.edges {
                let id = ObjectIdentifier(t)
                guard let left = pendingUses[id] else { continue }
                if left > 1 { pendingUses[id] = left - 1; continue }
                pendingUses[id] = nil
                guard let entry = leafGrads[id] else { continue }
                let total = t.grad.map { $0.detach() + entry.grad } ?? entry.grad
                if consume(t, total) {
                    leafGrads[id] = nil
                    t.grad = nil
                }
            }
        }
        try GradMode.with(enabled: createGraph) { () throws(AutogradError) in
            for (out, seed) in zip(outputs, initial) {
                if let n = out.gradFn {
                    let id = ObjectIdentifier(n)
                    grads[id] = grads[id].map { $0 + seed } ?? seed
                } else {
                    addLeaf(out, seed)
                }
            }
            for node in order.reversed() {
                let id = ObjectIdentifier(node)
                guard let g = grads.removeValue(forKey: id) else {
                    leafUsesDone(node)
                    continue
                }
                if let slots = targetNodes[id] {
                    for s in slots { results[s] = g }
                }
                if pruning && !needed.contains(id) {
                    leafUsesDone(node)
                    continue
                }
                guard let backward = node.backward else { throw .graphFreed(op: node.name) }
                let previousNeeds = inputNeeds
                inputNeeds = pruning ? node.edges.map { edge in
                    switch edge {
                    case .constant: return false
                    case .leaf(let t): return wantedLeaves.contains(ObjectIdentifier(t))
                    case .node(let n): return needed.contains(ObjectIdentifier(n))
                    }
                } : nil
                let inputGrads = backward(g, node.outputHandle())
                inputNeeds = previousNeeds
                for (k, ig) in inputGrads.enumerated() where k < node.edges.count {
                    guard let ig else { continue }
                    if ig.shape != node.inputShapes[k] {
                        shapeFailure("autograd: backward of \(node.name) produced a gradient of shape \(Shape.describe(ig.shape)) for an input of shape \(Shape.describe(node.inputShapes[k]))")
                    }
                    switch node.edges[k] {
                    case .constant:
                        continue
                    case .leaf(let t):
                        if pruning && !wantedLeaves.contains(ObjectIdentifier(t)) { continue }
                        addLeaf(t, ig)
                    case .node(let n):
                        let nid = ObjectIdentifier(n)
                        if pruning && !needed.contains(nid) { continue }
                        grads[nid] = grads[nid].map { $0 + ig } ?? ig
                    }
                }
                leafUsesDone(node)
                if !retainGraph {
                    // This node's saved tensors are spent: release them now rather than after
                    // the whole pass, so activations do not pile up under the gradients.
                    node.backward = nil
                    node.edges.removeAll()
                    node.savedOutput = nil
                }
            }
            // A gradient whose storage no other leaf shares and that is not a caller's seed
            // belongs to this pass alone, so it becomes the leaf's .grad without a copy.
            var storageUses: [ObjectIdentifier: Int] = [:]
            for (_, entry) in leafGrads { storageUses[ObjectIdentifier(entry.grad.storage), default: 0] += 1 }
            let seedStorages = Set(initial.map { ObjectIdentifier($0.storage) })
            for (id, entry) in leafGrads {
                if targets != nil {
                    for s in targetLeaves[id] ?? [] { results[s] = entry.grad }
                } else {
                    let storage = ObjectIdentifier(entry.grad.storage)
                    accumulate(entry.grad, into: entry.leaf, createGraph: createGraph,
                               owned: storageUses[storage] == 1 && !seedStorages.contains(storage))
                }
            }
        }
        if !retainGraph {
            // Free the saved tensors and the links, so a step's activations are released as
            // soon as its backward is done.
            for node in order {
                node.backward = nil
                node.edges.removeAll()
                node.savedOutput = nil
            }
        }
        return results
    }

    /// Leaf accumulation. Without createGraph the first gradient is copied, unless `owned`
    /// (nothing else holds its storage), so that later in-place accumulation never writes
    /// into a tensor shared with anything else.
    private static func accumulate(_ g: Tensor, into leaf: Tensor, createGraph: Bool, owned: Bool) {
        if createGraph {
            leaf.grad = leaf.grad.map { $0 + g } ?? g
        } else if let existing = leaf.grad, existing.gradFn == nil, existing.shape == g.shape {
            Kernels.addInPlace(existing, g)
        } else {
            leaf.grad = leaf.grad.map { $0.detach() + g } ?? (owned ? g : g.copy())
        }
    }
}
