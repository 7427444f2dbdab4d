// What srgan and esrgan share besides their discriminator: the check of their inputs and
// their progress picture.
import Autograd
import NN

/// Low-resolution inputs of a super-resolution model: [N, channels, h, w], any size.
func checkSuperResolutionInput(_ inputs: Tensor, model: String, channels: Int) throws(ConfigError) {
    guard inputs.shape.count == 4, inputs.shape[1] == channels else {
        throw ConfigError("\(model) upsamples images of shape [N, \(channels), H, W], got \(inputs.shape)")
    }
}

/// Per example one row: the input enlarged 4x by repeating pixels | the output | the
/// original (the reference shows the first two).
func superResolutionGrid(_ examples: TrainingBatch?, config: ModelConfig, model: (Tensor) -> Tensor) -> (images: Tensor, rows: Int) {
    let c = config.common
    guard let examples, let low = examples.lowResolution else {
        return (Tensor.zeros([1, c.channels, c.imgSize, 3 * c.imgSize]), 1)
    }
    let factor = c.imgSize / low.shape[2]
    let output = model(low)
    return (Tensor.concat([upsample(low, scaleFactor: factor), output, examples.images], dim: 3), 1)
}

/// Models that enlarge images by a fixed factor (srgan, esrgan), for `gan sample --input`.
public protocol SuperResolutionModel: GANModel {
    /// How many times larger the outputs are.
    var scaleFactor: Int { get }
}

extension SuperResolutionModel {
    public var scaleFactor: Int { Self.data(for: config).scaleFactor }

    /// G on `image` ([1, C, H, W], any size) in `tile` x `tile` pieces, each read with
    /// `margin` more pixels on every side and cut back to its share of the output, which
    /// `body` gets with its top-left corner in the output: memory stays that of one piece
    /// however large the image. Pieces see all the context G's receptive field reaches when
    /// `margin` covers it. In eval mode, without a graph.
    public func upscaleTiles(_ image: Tensor, tile: Int = 128, margin: Int = 16,
                             _ body: (_ output: Tensor, _ top: Int, _ left: Int) throws -> Void) throws {
        guard image.shape.count == 4, image.shape[0] == 1 else { throw ConfigError("upscale takes one image [1, C, H, W], got \(image.shape)") }
        guard tile > 0, margin >= 0 else { throw ConfigError("upscale: the tile must be positive and the margin not negative") }
        let (h, w, f) = (image.shape[2], image.shape[3], scaleFactor)
        for top in stride(from: 0, to: h, by: tile) {
            for left in stride(from: 0, to: w, by: tile) {
                let (t0, l0) = (max(0, top - margin), max(0, left - margin))
                let (t1, l1) = (min(h, top + tile + margin), min(w, left + tile + margin))
                let out = try translateForOutput(image.slice(dim: 2, start: t0, end: t1).slice(dim: 3, start: l0, end: l1))
                let (bottom, right) = (min(h, top + tile), min(w, left + tile))
                try body(out.slice(dim: 2, start: (top - t0) * f, end: (bottom - t0) * f)
                            .slice(dim: 3, start: (left - l0) * f, end: (right - l0) * f), top * f, left * f)
            }
        }
    }

    /// `upscaleTiles` assembled into one tensor [1, C, fH, fW].
    public func upscale(_ image: Tensor, tile: Int = 128, margin: Int = 16) throws -> Tensor {
        var rows: [[Tensor]] = []
        try upscaleTiles(image, tile: tile, margin: margin) { out, _, left in
            if left == 0 { rows.append([]) }
            rows[rows.count - 1].append(out)
        }
        return Tensor.concat(rows.map { Tensor.concat($0, dim: 3) }, dim: 2)
    }
}

extension SRGAN: SuperResolutionModel {}
extension ESRGAN: SuperResolutionModel {}
