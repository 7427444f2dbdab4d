// The image-folder datasets as training reads them: a file of a folder through the fits the
// models use (stretch, shorter side then crop, crop alone, flips), split as a pix2pix A|B
// pair, and downsampled as a super-resolution pair.
import Autograd
import Foundation
import Vision

// In memory where the system has /dev/shm, so the fsyncs of each execution cost nothing.
let scratch = URL(fileURLWithPath: FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
let root = scratch.appendingPathComponent("fuzz-imagefolder-\(getpid())")
let folder = root.appendingPathComponent("train")
let file = folder.appendingPathComponent("1.png")
let fits: [ImageTransform] = [
    ImageTransform([.rgb, .resize(width: 8, height: 8, filter: .bilinear)], mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]),
    ImageTransform([.rgb, .resizeShorterSide(10, filter: .bicubic), .randomCrop(width: 8, height: 8), .randomHorizontalFlip(probability: 0.5)]),
    ImageTransform([.grayscale, .resizeShorterSide(6, filter: .bilinear), .centerCrop(width: 6, height: 6)], mean: [0.5], std: [0.5]),
    ImageTransform([.rgb, .randomCrop(width: 4, height: 4), .horizontalFlip]),
    ImageTransform([.centerCrop(width: 4, height: 4)]),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImageFolder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if !FileManager.default.fileExists(atPath: folder.path) {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: root) }
    }
    guard (try? Data(bytes: data, count: size).write(to: file)) != nil else { return 0 }
    let generator = RandomGenerator(seed: 0)
    for fit in fits {
        _ = try? ImageFolderDataset(directory: folder, transform: fit).example(at: 0, generator: generator)
    }
    _ = try? PairedImageDataset(root: root, splits: ["train"], transform: fits[1]).example(at: 0, generator: generator)
    _ = try? SuperResolutionDataset(ImageFolderDataset(directory: folder, transform: fits[3]), factor: 4).example(at: 0, generator: generator)
    return 0
}
