// A pipeline of image transforms, as torchvision's Compose, applied to 8-bit images before
// they become floats. Random steps draw their parameters once per call, so images passed
// together (a pix2pix A and B) get the same crop and the same flip.
import Autograd

/// One step of an `ImageTransform`.
public enum TransformStep: Sendable {
    /// Resize to exactly `width` x `height`.
    case resize(width: Int, height: Int, filter: ResizeFilter)
    /// Resize so the shorter side becomes `size`, keeping the aspect ratio (torchvision's
    /// Resize(int): the longer side is int(size * long / short)).
    case resizeShorterSide(Int, filter: ResizeFilter)
    /// The central region of this size.
    case centerCrop(width: Int, height: Int)
    /// A region of this size at a uniformly random position.
    case randomCrop(width: Int, height: Int)
    /// Mirror left-right with this probability.
    case randomHorizontalFlip(probability: Float)
    /// Always mirror left-right.
    case horizontalFlip
    /// Convert to one gray channel.
    case grayscale
    /// Convert to three RGB channels.
    case rgb
}

/// A sequence of `TransformStep`s followed by conversion to CHW floats (with optional mean/std).
public struct ImageTransform: Sendable {
    public var steps: [TransformStep]
    /// Per-channel mean and std for normalisation after scaling to [0, 1]; empty for none.
    public var mean: [Float]
    public var std: [Float]

    public init(_ steps: [TransformStep] = [], mean: [Float] = [], std: [Float] = []) {
        precondition(mean.count == std.count, "ImageTransform: mean and std need the same length")
        self.steps = steps
        self.mean = mean
        self.std = std
    }

    /// Applies the 8-bit steps to each image, drawing random parameters once for all.
    public func applySteps(_ images: [Image], generator: RandomGenerator) -> [Image] {
        var current = images
        for step in steps {
            switch step {
            case let .resize(width, height, filter):
                current = current.map { $0.resized(width: width, height: height, filter: filter) }
            case let .resizeShorterSide(size, filter):
                current = current.map { image in
                    let (w, h) = ImageTransform.shorterSideSize(width: image.width, height: image.height, to: size)
                    return image.resized(width: w, height: h, filter: filter)
                }
            case let .centerCrop(width, height):
                current = current.map { $0.centerCropped(width: width, height: height) }
            case let .randomCrop(width, height):
                guard let first = current.first else { break }
                let left = generator.nextInt(below: max(first.width - width, 0) + 1)
                let top = generator.nextInt(below: max(first.height - height, 0) + 1)
                current = current.map { $0.cropped(left: left, top: top, width: width, height: height) }
            case let .randomHorizontalFlip(probability):
                if generator.nextUniform() < probability { current = current.map { $0.flippedHorizontally() } }
            case .horizontalFlip:
                current = current.map { $0.flippedHorizontally() }
            case .grayscale:
                current = current.map { $0.grayscale() }
            case .rgb:
                current = current.map { $0.rgb() }
            }
        }
        return current
    }

    /// Applies every step and the float conversion to one image.
    public func apply(_ image: Image, generator: RandomGenerator) -> FloatImage {
        apply([image], generator: generator)[0]
    }

    /// Applies every step (shared random parameters) and the float conversion to images.
    public func apply(_ images: [Image], generator: RandomGenerator) -> [FloatImage] {
        applySteps(images, generator: generator).map { $0.floatCHW(mean: mean, std: std) }
    }

    /// torchvision's Resize(int) rule: shorter side to `size`, longer side int(size * long / short).
    static func shorterSideSize(width: Int, height: Int, to size: Int) -> (Int, Int) {
        if width <= height { return (size, Int(Double(size) * Double(height) / Double(width))) }
        return (Int(Double(size) * Double(width) / Double(height)), size)
    }
}
