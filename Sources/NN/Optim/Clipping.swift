// In-place clamps outside the graph: WGAN critics clip weights to [-c, c] after each step.
import Autograd

/// Clamps every element of `tensors` to `range` in place (NaN stays NaN, as torch's clamp_).
public func clampInPlace(_ tensors: [Tensor], to range: ClosedRange<Float>) {
    for t in tensors { t.clampInPlace(to: range) }
}

extension Module {
    /// WGAN weight clipping: `for p in D.parameters(): p.data.clamp_(-c, c)`.
    public func clipWeights(to range: ClosedRange<Float>) { clampInPlace(parameters(), to: range) }
}
