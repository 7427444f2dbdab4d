// Filling a region the user chooses (`gan sample ccgan|context_encoder --input FACE --mask x,y,w,h`).
import Autograd

/// A rectangle of an image in pixels: left x, top y, width, height.
public struct ImageRegion: Sendable, Equatable {
    public let x: Int, y: Int, width: Int, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        (self.x, self.y, self.width, self.height) = (x, y, width, height)
    }

    /// "x,y,w,h".
    public init?(_ text: String) {
        let v = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count == 4, let x = v[0], let y = v[1], let w = v[2], let h = v[3] else { return nil }
        self.init(x: x, y: y, width: w, height: h)
    }

    /// [N, 1, H, W]: 1 inside the region.
    func mask(count: Int, height: Int, width: Int) -> Tensor {
        var values = [Float](repeating: 0, count: count * height * width)
        for n in 0..<count {
            for row in y..<(y + self.height) {
                let start = (n * height + row) * width + x
                for col in start..<(start + self.width) { values[col] = 1 }
            }
        }
        return Tensor(shape: [count, 1, height, width], scalars: values)
    }
}

/// Models that fill holes in images.
public protocol InpaintingModel: GANModel {
    /// `images` ([N, C, S, S] in [-1, 1]) with `region` filled by G; the rest unchanged.
    func fill(_ images: Tensor, region: ImageRegion) throws(ConfigError) -> Tensor
}

/// Checks that `region` lies inside an image of `size` pixels.
func checkRegion(_ region: ImageRegion, size: Int, model: String) throws(ConfigError) {
    guard region.width > 0, region.height > 0, region.x >= 0, region.y >= 0,
          region.x + region.width <= size, region.y + region.height <= size else {
        throw ConfigError("--mask \(region.x),\(region.y),\(region.width),\(region.height) must lie inside \(model)'s \(size)x\(size) image (x,y,w,h in its pixels)")
    }
}

extension CCGAN: InpaintingModel {
    /// The region filled with -1 as in training, G's whole output, kept inside the region.
    public func fill(_ images: Tensor, region: ImageRegion) throws(ConfigError) -> Tensor {
        let size = config.common.imgSize
        try checkRegion(region, size: size, model: Self.info.name)
        let m = region.mask(count: images.shape[0], height: size, width: size)
        let masked = images * (1 - m) + Self.holeFill * m
        return masked * (1 - m) + (try translateForOutput(masked)) * m
    }
}

extension ContextEncoder: InpaintingModel {
    /// G paints a square of half the image: the one centred on the region (moved inside the
    /// image); only the region takes its pixels.
    public func fill(_ images: Tensor, region: ImageRegion) throws(ConfigError) -> Tensor {
        let size = config.common.imgSize, side = size / 2
        try checkRegion(region, size: size, model: Self.info.name)
        guard region.width <= side, region.height <= side else {
            throw ConfigError("context_encoder paints squares of \(side)x\(side) pixels; --mask \(region.width)x\(region.height) is larger")
        }
        let x = min(max(0, region.x + region.width / 2 - side / 2), size - side)
        let y = min(max(0, region.y + region.height / 2 - side / 2), size - side)
        let painted = try inpaint(images, x: x, y: y)
        let m = region.mask(count: images.shape[0], height: size, width: size)
        return images * (1 - m) + painted * m
    }
}
