// One training iteration's data, whatever the model's kind of data: the runtime fills the
// fields that kind has (see `DataKind`), a model reads the ones it declared.
import Autograd

public struct TrainingBatch: @unchecked Sendable {
    /// [N, C, H, W] in the data's normalisation: the digits or photos, A of each pair, domain
    /// A, the source domain, the high-resolution images, or the whole images around the holes.
    public let images: Tensor
    /// Class labels of `images` (MNIST's digits, the source domain's), or empty.
    public let labels: [Int]
    /// B of each pair, an independently drawn image of domain B, or the target domain.
    public let imagesB: Tensor?
    /// [N, k] attributes, 0 or 1.
    public let attributes: Tensor?
    /// Low-resolution copies of `images` (super-resolution).
    public let lowResolution: Tensor?
    /// The top-left corner (x, y) of each image's hole (inpainting); the side is the
    /// model's hole size.
    public let holes: [(x: Int, y: Int)]

    public init(images: Tensor, labels: [Int] = [], imagesB: Tensor? = nil, attributes: Tensor? = nil,
                lowResolution: Tensor? = nil, holes: [(x: Int, y: Int)] = []) {
        self.images = images
        self.labels = labels
        self.imagesB = imagesB
        self.attributes = attributes
        self.lowResolution = lowResolution
        self.holes = holes
    }

    /// The number of examples.
    public var count: Int { images.shape[0] }

    /// A and B of a pair or of two domains (the model declared `.pairs`, `.unpaired` or `.domains`).
    public var pair: (a: Tensor, b: Tensor) {
        guard let imagesB else { preconditionFailure("TrainingBatch: this batch has no second images; the model declared another kind of data") }
        return (images, imagesB)
    }

    /// Examples `range` of this batch.
    public func slice(_ range: Range<Int>) -> TrainingBatch {
        func rows(_ t: Tensor?) -> Tensor? { t?.slice(dim: 0, start: range.lowerBound, end: range.upperBound) }
        return TrainingBatch(images: rows(images)!, labels: labels.isEmpty ? [] : Array(labels[range]), imagesB: rows(imagesB),
                             attributes: rows(attributes), lowResolution: rows(lowResolution),
                             holes: holes.isEmpty ? [] : Array(holes[range]))
    }
}
