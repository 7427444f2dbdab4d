// The public entry points of reverse mode: backward() accumulates into leaves' .grad,
// Autograd.grad(of:) returns gradients. Both run a BackwardPass.

extension Tensor {
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

    /// One backward pass: towards `targets` (returned) or into the leaves' `.grad`, pruned
    /// to `targets` or `only` when given. Each pass keeps all its state in its own values,
    /// so a backward closure may run another pass.
    static func run(outputs: [Tensor], seeds: [Tensor]?, targets: [Tensor]?,
                    retainGraph: Bool, createGraph: Bool, only: [Tensor]? = nil,
                    consume: ((Tensor, Tensor) -> Bool)? = nil) throws(AutogradError) -> [Tensor?] {
        let initial = try initialGradients(of: outputs, seeds: seeds)
        var pass = BackwardPass(outputs: outputs, targets: targets, only: only, consume: consume,
                                retainGraph: retainGraph, createGraph: createGraph)
        return try pass.run(seeds: initial)
    }

    /// The gradient each output starts with: its seed, or one for a scalar.
    private static func initialGradients(of outputs: [Tensor], seeds: [Tensor]?) throws(AutogradError) -> [Tensor] {
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
        return initial
    }
}
