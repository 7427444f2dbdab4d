// In-place clamps outside the graph: WGAN critics clip weights to [-c, c] after each step.
import Autograd
import CKernels

/// Clamps every element of `tensors` to `range` in place (NaN stays NaN, as torch's clamp_).
public func clampInPlace(_ tensors: [Tensor], to range: ClosedRange<Float>) {
    for t in tensors {
        // The C kernel reads each element before writing it, so in place is safe; it is
        // vectorised and split over the cores for large weights.
        ck_unary(Int32(CK_CLAMP), t.storage.pointer, t.storage.pointer, t.count, range.lowerBound, range.upperBound)
    }
}

extension Module {
    /// WGAN weight clipping: `for p in D.parameters(): p.data.clamp_(-c, c)`.
    public func clipWeights(to range: ClosedRange<Float>) { clampInPlace(parameters(), to: range) }
}
