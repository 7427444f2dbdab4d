// How an op records itself: its output gets a GradNode holding the backward closure.
// Every backward maps the gradient of its output to gradients of its inputs, written with
// differentiable tensor ops; running it with recording on (createGraph) makes gradients
// differentiable again.

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
        record(op, inputs, savingOutput: false) { g, _, _ in backward(g) }
    }

    /// As `recorded`, for costly backwards that skip the gradients a pruned pass does not
    /// want (products, convolutions): `needs[k]` says whether input k's is wanted.
    @discardableResult
    func recorded(_ op: String, _ inputs: [Tensor],
                  _ backward: @escaping (Tensor, InputGradientNeeds) -> [Tensor?]) -> Tensor {
        record(op, inputs, savingOutput: false) { g, _, needs in backward(g, needs) }
    }

    /// As `recorded`, for ops whose backward is written with their output (exp, tanh, ...).
    @discardableResult
    func recordedSavingOutput(_ op: String, _ inputs: [Tensor], _ backward: @escaping (Tensor, Tensor) -> [Tensor?]) -> Tensor {
        record(op, inputs, savingOutput: true) { g, out, _ in backward(g, out!) }
    }

    private func record(_ op: String, _ inputs: [Tensor], savingOutput: Bool,
                        _ backward: @escaping GradNode.Backward) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        gradFn = GradNode(name: op, inputs: inputs, outputShape: shape,
                          savedOutput: savingOutput ? storage : nil, backward: backward)
        return self
    }
}
