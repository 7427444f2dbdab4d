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
