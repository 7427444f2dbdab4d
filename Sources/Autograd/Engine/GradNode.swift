// The recorded graph: one node per op, linked to the nodes that produced its inputs.

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

    /// (gradient of the output, the output when saved, which inputs the pass wants)
    /// -> gradient of each input.
    typealias Backward = (Tensor, Tensor?, InputGradientNeeds) -> [Tensor?]

    let name: String
    var edges: [Edge]
    let inputShapes: [[Int]]
    let outputShape: [Int]
    /// The output's elements, for backward passes written in terms of the output.
    var savedOutput: TensorStorage?
    var backward: Backward?

    init(name: String, inputs: [Tensor], outputShape: [Int], savedOutput: TensorStorage?,
         backward: @escaping Backward) {
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

    /// Frees the saved tensors and the links once a pass without retainGraph is done with
    /// this node, so a step's activations do not outlive its backward.
    func releaseSavedTensors() {
        backward = nil
        edges.removeAll()
        savedOutput = nil
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
