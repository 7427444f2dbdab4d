// From 8-bit HWC to float CHW, with optional per-channel normalisation, in one pass.

extension Image {
    /// The image as CHW floats in [0, 1] (value / 255), as torchvision's ToTensor, then
    /// `(x - mean[c]) / std[c]` per channel when `mean`/`std` are given (one value applies
    /// to every channel).
    public func floatCHW(mean: [Float] = [], std: [Float] = []) -> FloatImage {
        precondition(mean.count == std.count, "floatCHW: mean and std need the same length")
        precondition(mean.isEmpty || mean.count == 1 || mean.count == channels,
                     "floatCHW: \(mean.count) mean values for \(channels) channels")
        let c = channels, n = width * height
        var values = [Float](repeating: 0, count: c * n)
        // One table of the 256 possible results per channel: the same arithmetic as per
        // pixel (divide by 255, subtract, divide), done 256 times instead of n.
        var table = [Float](repeating: 0, count: 256 * c)
        for ch in 0..<c {
            let m: Float = mean.isEmpty ? 0 : mean[mean.count == 1 ? 0 : ch]
            let s: Float = std.isEmpty ? 1 : std[std.count == 1 ? 0 : ch]
            for v in 0..<256 { table[ch * 256 + v] = (Float(v) / 255 - m) / s }
        }
        pixels.withUnsafeBufferPointer { srcBuffer in
            values.withUnsafeMutableBufferPointer { dstBuffer in
                table.withUnsafeBufferPointer { tableBuffer in
                    let src = srcBuffer.baseAddress!, dst = dstBuffer.baseAddress!
                    for ch in 0..<c {
                        let lookup = tableBuffer.baseAddress! + ch * 256, plane = dst + ch * n
                        for i in 0..<n { plane[i] = lookup[Int(src[i * c + ch])] }
                    }
                }
            }
        }
        return FloatImage(channels: c, height: height, width: width, values: values)
    }
}

extension FloatImage {
    /// `(x - mean[c]) / std[c]` per channel (one value applies to every channel).
    public func normalized(mean: [Float], std: [Float]) -> FloatImage {
        precondition(mean.count == std.count && (mean.count == 1 || mean.count == channels),
                     "normalized: mean/std must have 1 or \(channels) values")
        var out = self
        let n = width * height
        out.values.withUnsafeMutableBufferPointer { v in
            for ch in 0..<channels {
                let m = mean[mean.count == 1 ? 0 : ch], s = std[std.count == 1 ? 0 : ch]
                for i in ch * n ..< (ch + 1) * n { v[i] = (v[i] - m) / s }
            }
        }
        return out
    }
}
