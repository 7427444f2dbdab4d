// The propagation loop of one backward pass.

/// Walks the graph from the outputs towards the leaves, running each node's backward once
/// every consumer of its output has added its gradient, and routing the results to the
/// nodes and leaves that want them.
struct BackwardPass {
    private let outputs: [Tensor]
    /// Post-order: producers before consumers; walked backwards.
    private let order: [GradNode]
    private let targets: GradientTargets?
    /// Nil when the pass is not pruned (every node runs, every leaf gets its gradient).
    private let plan: PruningPlan?
    private var handOver: LeafGradientHandOver?
    private var leafSums: LeafGradientSums
    /// Gradients flowing into nodes that have not run yet.
    private var pending: [ObjectIdentifier: Tensor] = [:]
    private var results: [Tensor?]
    private let retainGraph: Bool
    private let createGraph: Bool

    init(outputs: [Tensor], targets: [Tensor]?, only: [Tensor]?, consume: ((Tensor, Tensor) -> Bool)?,
         retainGraph: Bool, createGraph: Bool) {
        self.outputs = outputs
        let order = GradNode.postOrder(from: outputs.compactMap(\.gradFn))
        let targets = targets.map(GradientTargets.init)
        self.order = order
        self.targets = targets
        plan = targets != nil || only != nil ? PruningPlan(order: order, targets: targets, only: only) : nil
        handOver = consume.map { LeafGradientHandOver(order: order, consume: $0) }
        leafSums = LeafGradientSums(createGraph: createGraph)
        results = [Tensor?](repeating: nil, count: targets?.count ?? 0)
        self.retainGraph = retainGraph
        self.createGraph = createGraph
    }

    /// Runs the pass from the outputs' initial gradients; returns the targets' gradients.
    mutating func run(seeds: [Tensor]) throws(AutogradError) -> [Tensor?] {
        try GradMode.with(enabled: createGraph) { () throws(AutogradError) in
            for (out, seed) in zip(outputs, seeds) {
                if let n = out.gradFn {
                    let id = ObjectIdentifier(n)
                    pending[id] = pending[id].map { $0 + seed } ?? seed
                } else {
                    leafSums.add(seed, to: out)
                }
            }
            for node in order.reversed() { try visit(node) }
            if let targets {
                leafSums.deliver(to: targets, results: &results)
            } else {
                leafSums.accumulateIntoLeaves(seeds: seeds)
            }
        }
        if !retainGraph {
            // Free the saved tensors and the links, so a step's activations are released as
            // soon as its backward is done.
            for node in order { node.releaseSavedTensors() }
        }
        return results
    }

    private mutating func visit(_ node: GradNode) throws(AutogradError) {
        let ran = try propagate(through: node)
        handOver?.usesDone(by: node, sums: &leafSums)
        if ran && !retainGraph {
            // This node's saved tensors are spent: release them now rather than after
            // the whole pass, so activations do not pile up under the gradients.
            node.releaseSavedTensors()
        }
    }

    /// Runs the node's backward on the gradient flowing into it, when one does and the
    /// pass needs the node; returns whether it ran.
    private mutating func propagate(through node: GradNode) throws(AutogradError) -> Bool {
        guard let g = pending.removeValue(forKey: ObjectIdentifier(node)) else { return false }
        if let targets {
            for s in targets.slots(of: node) { results[s] = g }
        }
        if let plan, !plan.isNeeded(node) { return false }
        guard let backward = node.backward else { throw .graphFreed(op: node.name) }
        let inputGrads = backward(g, node.outputHandle(), plan?.inputNeeds(of: node) ?? .all)
        route(inputGrads, of: node)
        return true
    }

    /// Sends each input gradient to the leaf or node that produced the input, if wanted.
    private mutating func route(_ inputGrads: [Tensor?], of node: GradNode) {
        for (k, ig) in inputGrads.enumerated() where k < node.edges.count {
            guard let ig else { continue }
            if ig.shape != node.inputShapes[k] {
                shapeFailure("autograd: backward of \(node.name) produced a gradient of shape \(Shape.describe(ig.shape)) for an input of shape \(Shape.describe(node.inputShapes[k]))")
            }
            let edge = node.edges[k]
            if let plan, !plan.wants(edge) { continue }
            switch edge {
            case .constant:
                continue
            case .leaf(let t):
                leafSums.add(ig, to: t)
            case .node(let n):
                let id = ObjectIdentifier(n)
                pending[id] = pending[id].map { $0 + ig } ?? ig
            }
        }
    }
}
