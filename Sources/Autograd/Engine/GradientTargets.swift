// Where grad(of:withRespectTo:) puts each requested gradient.

/// The tensors a pass returns gradients for, by result slot. A target is a leaf tensor, or
/// the node that produced a non-leaf tensor (its gradient is the one flowing into that node).
struct GradientTargets {
    private(set) var slotsOfNode: [ObjectIdentifier: [Int]] = [:]
    private(set) var slotsOfLeaf: [ObjectIdentifier: [Int]] = [:]
    let count: Int

    init(_ targets: [Tensor]) {
        count = targets.count
        for (i, t) in targets.enumerated() {
            if let n = t.gradFn { slotsOfNode[ObjectIdentifier(n), default: []].append(i) } else {
                slotsOfLeaf[ObjectIdentifier(t), default: []].append(i)
            }
        }
    }

    /// The leaf targets (the pruning plan's wanted leaves).
    var leaves: Dictionary<ObjectIdentifier, [Int]>.Keys { slotsOfLeaf.keys }

    func isTarget(_ node: GradNode) -> Bool { slotsOfNode[ObjectIdentifier(node)] != nil }

    func slots(of node: GradNode) -> [Int] { slotsOfNode[ObjectIdentifier(node)] ?? [] }

    func slots(ofLeaf id: ObjectIdentifier) -> [Int] { slotsOfLeaf[id] ?? [] }
}
