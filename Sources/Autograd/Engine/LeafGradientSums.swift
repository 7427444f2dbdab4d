// The gradients a pass sums for its leaves, and their delivery at the end of the pass.

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

struct LeafGradientSums {
    private var sums: [ObjectIdentifier: LeafGradient] = [:]
    let createGraph: Bool

    init(createGraph: Bool) { self.createGraph = createGraph }

    /// Adds one term of `leaf`'s gradient.
    mutating func add(_ g: Tensor, to leaf: Tensor) {
        let id = ObjectIdentifier(leaf)
        guard let e = sums[id] else {
            sums[id] = LeafGradient(leaf: leaf, grad: g)
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

    func sum(for leaf: Tensor) -> LeafGradient? { sums[ObjectIdentifier(leaf)] }

    /// Forgets a sum that was handed over during the pass.
    mutating func remove(_ leaf: Tensor) { sums[ObjectIdentifier(leaf)] = nil }

    /// The sums of leaf targets, into their result slots.
    func deliver(to targets: GradientTargets, results: inout [Tensor?]) {
        for (id, entry) in sums {
            for s in targets.slots(ofLeaf: id) { results[s] = entry.grad }
        }
    }

    /// Every sum into its leaf's `.grad`. A gradient whose storage no other leaf shares and
    /// that is not a caller's seed belongs to this pass alone, so it becomes the leaf's
    /// .grad without a copy.
    func accumulateIntoLeaves(seeds: [Tensor]) {
        var storageUses: [ObjectIdentifier: Int] = [:]
        for (_, entry) in sums { storageUses[ObjectIdentifier(entry.grad.storage), default: 0] += 1 }
        let seedStorages = Set(seeds.map { ObjectIdentifier($0.storage) })
        for (_, entry) in sums {
            let storage = ObjectIdentifier(entry.grad.storage)
            accumulate(entry.grad, into: entry.leaf,
                       owned: storageUses[storage] == 1 && !seedStorages.contains(storage))
        }
    }

    /// Without createGraph the first gradient is copied, unless `owned` (nothing else holds
    /// its storage), so that later in-place accumulation never writes into a tensor shared
    /// with anything else.
    private func accumulate(_ g: Tensor, into leaf: Tensor, owned: Bool) {
        if createGraph {
            leaf.grad = leaf.grad.map { $0 + g } ?? g
        } else if let existing = leaf.grad, existing.gradFn == nil, existing.shape == g.shape {
            Kernels.addInPlace(existing, g)
        } else {
            leaf.grad = leaf.grad.map { $0.detach() + g } ?? (owned ? g : g.copy())
        }
    }
}
