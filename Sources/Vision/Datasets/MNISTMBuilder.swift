// Building MNIST-M with the recipe of Ganin & Lempitsky (ICML 2015, section 5): each MNIST
// digit is blended with a patch cropped at random from a BSDS500 training photo, every
// output channel being |patch - digit| (the digit as 0..255 gray in all three channels), so
// strokes take the inverted colours of the patch. Random choices come from one
// RandomGenerator(seed): per digit, in MNIST order (train, then test), the photo index,
// then the patch's left edge, then its top edge. The blending runs on all cores; the
// result depends only on the seed and the inputs.
import Autograd
import Foundation

public enum MNISTMBuilder {
    /// Where each digit's patch comes from.
    public struct Patch: Sendable, Equatable {
        public let photo: Int
        public let left: Int
        public let top: Int
    }

    /// The patch of each of `count` digits, drawn from `generator` in order.
    public static func drawPatches(count: Int, photos: [Image], generator: RandomGenerator) -> [Patch] {
        var patches = [Patch]()
        patches.reserveCapacity(count)
        for _ in 0..<count {
            let photo = generator.nextInt(below: photos.count)
            let left = generator.nextInt(below: photos[photo].width - MNISTM.side + 1)
            let top = generator.nextInt(below: photos[photo].height - MNISTM.side + 1)
            patches.append(Patch(photo: photo, left: left, top: top))
        }
        return patches
    }

    /// The blended RGB images of `digits` (28x28 gray each, back to back) over their patches.
    public static func blend(digits: [UInt8], patches: [Patch], photos: [Image]) -> [UInt8] {
        let side = MNISTM.side, digitSize = side * side, imageSize = digitSize * 3
        precondition(digits.count == patches.count * digitSize, "blend: \(digits.count) digit bytes for \(patches.count) patches")
        var out = [UInt8](repeating: 0, count: patches.count * imageSize)
        let chunk = 1024
        out.withUnsafeMutableBufferPointer { output in
            // Each worker writes only its own images' bytes.
            nonisolated(unsafe) let destination = output.baseAddress!
            digits.withUnsafeBufferPointer { digitBuffer in
                nonisolated(unsafe) let source = digitBuffer.baseAddress!
                DispatchQueue.concurrentPerform(iterations: (patches.count + chunk - 1) / chunk) { c in
                    for i in c * chunk ..< min(patches.count, (c + 1) * chunk) {
                        let patch = patches[i], photo = photos[patch.photo]
                        photo.pixels.withUnsafeBufferPointer { photoBuffer in
                            let digit = source + i * digitSize, image = destination + i * imageSize
                            for y in 0..<side {
                                let row = photoBuffer.baseAddress! + ((patch.top + y) * photo.width + patch.left) * 3
                                for x in 0..<side {
                                    let d = Int(digit[y * side + x])
                                    for ch in 0..<3 {
                                        image[(y * side + x) * 3 + ch] = UInt8(abs(Int(row[x * 3 + ch]) - d))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The RGB photos (JPEG or PNG) of a BSDS500 `images/train` folder; each must be at
    /// least 28x28.
    public static func loadPhotos(_ folder: URL) throws -> [Image] {
        try ImageFiles.list(folder).map { url in
            let image = try Image(contentsOf: url).rgb()
            guard image.width >= MNISTM.side, image.height >= MNISTM.side else {
                throw DataError(.mismatch, file: url.path, "is \(image.width)x\(image.height), smaller than a 28x28 patch")
            }
            return image
        }
    }
}
