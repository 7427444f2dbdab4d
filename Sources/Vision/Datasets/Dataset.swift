// What a data loader draws from: a fixed number of examples, each made on demand.
import Autograd

/// One training example: one or more images (pix2pix and CycleGAN give two) and labels.
public struct Example: Sendable {
    /// The images, already transformed to CHW floats.
    public var images: [FloatImage]
    /// Label values: a class index as one value, attributes as 0/1, or empty.
    public var labels: [Float]

    public init(images: [FloatImage], labels: [Float] = []) {
        self.images = images
        self.labels = labels
    }
}

/// A random-access collection of examples. Implementations must be safe to call from the
/// loader's background thread.
public protocol Dataset: Sendable {
    /// The number of examples.
    var count: Int { get }
    /// Example `index`; random transforms draw from `generator`. Throws `DataError` for a
    /// bad file.
    func example(at index: Int, generator: RandomGenerator) throws -> Example
    /// Where example `index` comes from (a file path), for error messages.
    func source(of index: Int) -> String
}

extension Dataset {
    public func source(of index: Int) -> String { "example \(index)" }
}
