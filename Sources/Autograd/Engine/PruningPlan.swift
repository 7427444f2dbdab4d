// Which part of the graph a pruned pass works on.

/// For grad(of:) and backward(only:): only nodes from which a wanted leaf or a target node
/// can be reached do work, and gradients flow only along edges into them.
struct PruningPlan {
    private var wantedLeaves = Set<ObjectIdentifier>()
    private var neededNodes = Set<ObjectIdentifier>()

    /// `order` is the pass's post-order; `only` adds the leaves a backward(only:) wants.
    init(order: [GradNode], targets: GradientTargets?, only: [Tensor]?) {
        if let targets { wantedLeaves.formUnion(targets.leaves) }
        for t in only ?? [] where t.gradFn == nil { wantedLeaves.insert(ObjectIdentifier(t)) }
        for node in order {  // children come before parents in post-order
            if node.edges.contains(where: wants) || targets?.isTarget(node) == true {
                neededNodes.insert(ObjectIdentifier(node))
            }
        }
    }

    /// Whether gradients flow along this edge.
    func wants(_ edge: GradNode.Edge) -> Bool {
        switch edge {
        case .constant: return false
        case .leaf(let t): return wantedLeaves.contains(ObjectIdentifier(t))
        case .node(let n): return isNeeded(n)
        }
    }

    /// Whether this node's backward runs.
    func isNeeded(_ node: GradNode) -> Bool { neededNodes.contains(ObjectIdentifier(node)) }

    /// What the node's backward is told about its inputs.
    func inputNeeds(of node: GradNode) -> InputGradientNeeds { InputGradientNeeds(node.edges.map(wants)) }
}
