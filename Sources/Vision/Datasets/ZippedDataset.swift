// Two datasets served side by side (a labelled source domain and a target domain).
import Autograd

/// Example i of `first` with an example of `second` drawn at random from example i's
/// generator (as zipping two independently shuffled loaders): images [first's, second's],
/// labels the first's. The length is the first's.
public struct ZippedDataset: Dataset {
    public let first: any Dataset
    public let second: any Dataset

    public init(_ first: any Dataset, _ second: any Dataset) {
        self.first = first
        self.second = second
    }

    public var count: Int { first.count }

    public func source(of index: Int) -> String { first.source(of: index) }

    public func example(at index: Int, generator: RandomGenerator) throws -> Example {
        let a = try first.example(at: index, generator: generator)
        let b = try second.example(at: generator.nextInt(below: second.count), generator: generator)
        return Example(images: a.images + b.images, labels: a.labels)
    }
}
