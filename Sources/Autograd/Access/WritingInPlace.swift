// The writes into an existing tensor that code outside the engine may make: initialising
// parameters, updating a one-element buffer (a counter, a balance term), clipping weights.
// They happen outside the graph: a tensor that an op saved for its backward must not be
// changed before that backward runs (as PyTorch's in-place rules under no_grad).
import CKernels

extension Tensor {
    /// Sets every element to `value`.
    public func fill(_ value: Float) {
        storage.pointer.update(repeating: value, count: count)
    }

    /// Overwrites the elements with uniform draws in [low, high) from `generator`.
    public func fillUniform(low: Float = 0, high: Float = 1, generator: RandomGenerator) {
        generator.fillUniform(storage.pointer, count: count, low: low, high: high)
    }

    /// Overwrites the elements with normal draws N(mean, std^2) from `generator`.
    public func fillNormal(mean: Float = 0, std: Float = 1, generator: RandomGenerator) {
        generator.fillNormal(storage.pointer, count: count, mean: mean, std: std)
    }

    /// Writes the single value of a one-element tensor (the counterpart of `item()`).
    public func setItem(_ value: Float) {
        guard count == 1 else { shapeFailure("setItem: tensor of shape \(Shape.describe(shape)) has \(count) elements, not 1") }
        storage.pointer[0] = value
    }

    /// Clamps every element to `range` in place (NaN stays NaN, as torch's clamp_).
    public func clampInPlace(to range: ClosedRange<Float>) {
        // The kernel reads each element before writing it, so in place is safe; it is
        // vectorised and split over the cores for large weights.
        ck_unary(Int32(CK_CLAMP), storage.pointer, storage.pointer, count, range.lowerBound, range.upperBound)
    }
}

extension Tensor {
    /// Overwrites row `index` along the first dimension with `source`'s elements (a pool of
    /// images kept outside any graph, such as CycleGAN's replay buffer).
    public func setRow(_ index: Int, to source: Tensor) {
        guard rank >= 1, (0..<shape[0]).contains(index) else {
            shapeFailure("setRow: row \(index) of a tensor of shape \(Shape.describe(shape))")
        }
        let row = count / shape[0]
        guard source.count == row else {
            shapeFailure("setRow: a row of \(Shape.describe(shape)) has \(row) elements, the source \(source.count)")
        }
        (storage.pointer + index * row).update(from: source.storage.pointer, count: row)
    }
}
