// The square holes of the inpainting models (ccgan, context_encoder): masks, masked images,
// the holes' contents and patches pasted back, for holes at a different place in each image.
import Autograd
import NN

/// Square holes of side `size`, one per image, by top-left corner (x, y).
struct Holes {
    let corners: [(x: Int, y: Int)]
    let size: Int

    init(_ corners: [(x: Int, y: Int)], size: Int) {
        self.corners = corners
        self.size = size
    }

    /// The same hole in each of `count` images.
    init(x: Int, y: Int, size: Int, count: Int) {
        self.init(Array(repeating: (x, y), count: count), size: size)
    }

    /// [N, 1, H, W]: 1 inside each image's hole, 0 elsewhere.
    func mask(height: Int, width: Int) -> Tensor {
        var values = [Float](repeating: 0, count: corners.count * height * width)
        for (n, c) in corners.enumerated() {
            for row in c.y..<(c.y + size) {
                let start = (n * height + row) * width + c.x
                for col in start..<(start + size) { values[col] = 1 }
            }
        }
        return Tensor(shape: [corners.count, 1, height, width], scalars: values)
    }

    /// The images with every hole filled with `value`.
    func masked(_ images: Tensor, fill value: Float) -> Tensor {
        let m = mask(height: images.shape[2], width: images.shape[3])
        return images * (1 - m) + value * m
    }

    /// [N, C, size, size]: what each image holds in its hole.
    func contents(_ images: Tensor) -> Tensor {
        Tensor.concat(corners.enumerated().map { n, c in
            images.slice(dim: 0, start: n, end: n + 1).slice(dim: 2, start: c.y, end: c.y + size).slice(dim: 3, start: c.x, end: c.x + size)
        }, dim: 0)
    }

    /// The images with `patches` ([N, C, size, size]) in their holes.
    func pasted(_ patches: Tensor, into images: Tensor) -> Tensor {
        let (h, w) = (images.shape[2], images.shape[3])
        let placed = Tensor.concat(corners.enumerated().map { n, c in
            let pad = ZeroPad2d(Padding2d(left: c.x, right: w - c.x - size, top: c.y, bottom: h - c.y - size))
            return pad(patches.slice(dim: 0, start: n, end: n + 1))
        }, dim: 0)
        let m = mask(height: h, width: w)
        return images * (1 - m) + placed * m
    }
}
