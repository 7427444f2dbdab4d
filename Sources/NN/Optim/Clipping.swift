// In-place clamps outside the graph: WGAN critics clip weights to [-c, c] after each step.
import Autograd

/// Clamps every element of `tensors` to `range` in place.
public func clampInPlace(_ tensors: [Tensor], to range: ClosedRange<Float>) {
    let lo = range.lowerBound, hi = range.upperBound
    for t in tensors {
        let p = t.storage.pointer
        for k in 0..<t.count { p[k] = Swift.min(Swift.max(p[k], lo), hi) }
    }
}

extension Module {
    /// WGAN weight clipping: `for p in D.parameters(): p.data.clamp_(-c, c)`.
    public func clipWeights(to range: ClosedRange<Float>) { clampInPlace(parameters(), to: range) }
}
