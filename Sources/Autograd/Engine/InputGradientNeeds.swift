// What a backward is told about its inputs (PyTorch's ctx.needs_input_grad).

/// Which inputs of an op need a gradient in the backward pass now running. A pruned pass
/// (grad(of:), backward(only:)) wants only the inputs that lead to its targets, so a costly
/// backward (a product, a convolution) skips the rest: a gradient penalty's first-order
/// pass computes no weight gradients and its final pass no input gradients. The engine
/// hands it to each backward as an argument, so nested or concurrent passes never see
/// each other's needs.
public struct InputGradientNeeds: Sendable, Equatable {
    /// Per input; nil when the pass is not pruned and every input is wanted.
    private let wanted: [Bool]?

    init(_ wanted: [Bool]) { self.wanted = wanted }
    private init() { wanted = nil }

    /// An unpruned pass: every input that requires a gradient gets one.
    static let all = InputGradientNeeds()

    /// Whether input `k` needs its gradient. An op still checks that the input requires
    /// one: this only says what the pass wants.
    public subscript(_ k: Int) -> Bool {
        guard let wanted, k < wanted.count else { return true }
        return wanted[k]
    }
}
