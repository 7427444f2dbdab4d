// backward(consumingLeafGradients:): each leaf's gradient leaves the pass once complete.

/// Counts the recorded uses of each leaf still to be processed; when a leaf's count reaches
/// zero its gradient is complete and goes to the consumer (an optimiser's step).
struct LeafGradientHandOver {
    private var pendingUses: [ObjectIdentifier: Int] = [:]
    private let consume: (Tensor, Tensor) -> Bool

    init(order: [GradNode], consume: @escaping (Tensor, Tensor) -> Bool) {
        self.consume = consume
        for node in order {
            for case .leaf(let t) in node.edges { pendingUses[ObjectIdentifier(t), default: 0] += 1 }
        }
    }

    /// `node` has been processed (its backward ran, or the pass skipped it): its leaves have
    /// one use fewer left. A consumed gradient leaves the sums and the leaf's `.grad`.
    mutating func usesDone(by node: GradNode, sums: inout LeafGradientSums) {
        for case .leaf(let t) in node.edges {
            let id = ObjectIdentifier(t)
            guard let left = pendingUses[id] else { continue }
            if left > 1 { pendingUses[id] = left - 1; continue }
            pendingUses[id] = nil
            guard let entry = sums.sum(for: t) else { continue }
            let total = t.grad.map { $0.detach() + entry.grad } ?? entry.grad
            if consume(t, total) {
                sums.remove(t)
                t.grad = nil
            }
        }
    }
}
