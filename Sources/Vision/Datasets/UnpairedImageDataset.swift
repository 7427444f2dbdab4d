// CycleGAN's unpaired layout: `trainA/ trainB/ testA/ testB/` under one root.
import Autograd
import Foundation

/// Unpaired domains A and B from `root/<split>A` and `root/<split>B`. The length is the
/// larger domain's; A is indexed cyclically, and B either by the same index (`.aligned`)
/// or at random (`.shuffled`, as CycleGAN's unaligned mode). A and B are transformed
/// independently (different random crops).
public struct UnpairedImageDataset: Dataset {
    public enum Mode: Sendable { case aligned, shuffled }

    public let filesA: [URL]
    public let filesB: [URL]
    public let mode: Mode
    public let transform: ImageTransform

    public init(root: URL, split: String = "train", mode: Mode = .shuffled, transform: ImageTransform = ImageTransform()) throws {
        filesA = try ImageFiles.list(root.appendingPathComponent(split + "A"))
        filesB = try ImageFiles.list(root.appendingPathComponent(split + "B"))
        self.mode = mode
        self.transform = transform
    }

    public var count: Int { max(filesA.count, filesB.count) }

    public func source(of index: Int) -> String { filesA[index % filesA.count].path }

    public func example(at index: Int, generator: RandomGenerator) throws -> Example {
        let fileA = filesA[index % filesA.count]
        let fileB = mode == .aligned ? filesB[index % filesB.count] : filesB[generator.nextInt(below: filesB.count)]
        let a = transform.apply(try Image(contentsOf: fileA), generator: generator)
        let b = transform.apply(try Image(contentsOf: fileB), generator: generator)
        return Example(images: [a, b])
    }
}
