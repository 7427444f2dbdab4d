import Autograd
import Vision
import XCTest
@testable import GANs

/// The training set keeps its images run-length coded; batches must be exactly the
/// dataset's pixels, normalised as ToTensor then Normalize(0.5, 0.5).
final class MNISTTrainingSetTests: XCTestCase {
    func testRunLengthCodeRoundTripsEveryPattern() {
        func image(_ count: Int, _ pixel: (Int) -> UInt8) -> [UInt8] { (0..<count).map(pixel) }
        var images: [[UInt8]] = []
        images.append(image(784) { _ in 0 })                                   // all background
        images.append(image(784) { _ in 255 })                                 // literal runs past 255
        images.append(image(784) { $0 % 2 == 0 ? 0 : UInt8(1 + $0 % 200) })    // alternating
        images.append(image(784) { $0 == 783 ? 7 : 0 })   // a background run past 255, last pixel set
        images.append(image(784) { $0 == 0 ? 9 : 0 })     // first pixel set
        images.append(image(1000) { $0 >= 300 && $0 < 700 ? 200 : 0 })        // another size
        let rng = RandomGenerator(seed: 5)
        images.append((0..<784).map { _ in rng.nextInt(below: 4) == 0 ? UInt8(1 + rng.nextInt(below: 255)) : 0 })
        for (i, image) in images.enumerated() {
            var codes: [UInt8] = []
            image.withUnsafeBufferPointer { MNISTTrainingSet.encode($0, into: &codes) }
            XCTAssertEqual(MNISTTrainingSet.decode(codes, count: image.count), image, "pattern \(i)")
        }
        var codes: [UInt8] = []
        images[0].withUnsafeBufferPointer { MNISTTrainingSet.encode($0, into: &codes) }
        XCTAssertLessThanOrEqual(codes.count, 8, "784 background pixels: four (skip, 0) pairs")
    }

    func testBatchesAreTheDatasetsPixelsNormalised() throws {
        let mnist = try MNIST(split: .train)
        let set = try MNISTTrainingSet(imageSize: 28, limit: 300)
        XCTAssertEqual(set.count, 300)
        XCTAssertLessThan(set.codes.count, 300 * 784 / 2, "the code is well under half the plain pixels")
        let order = set.order(epoch: 0, seed: 3)
        for b in 0..<set.batchesPerEpoch(batchSize: 64) {
            let (images, labels) = set.batch(b, order: order, batchSize: 64)
            let values = images.scalars
            for (row, i) in order[(b * 64)..<Swift.min(b * 64 + 64, 300)].enumerated() {
                XCTAssertEqual(labels[row], Int(mnist.labels[i]))
                XCTAssertEqual(set.pixels(of: i), Array(mnist.pixels[(i * 784)..<((i + 1) * 784)]))
                for j in 0..<784 {
                    let expected = (Float(mnist.pixels[i * 784 + j]) / 255 - 0.5) / 0.5
                    if values[row * 784 + j] != expected {
                        XCTFail("batch \(b), image \(i), pixel \(j): \(values[row * 784 + j]) != \(expected)")
                        return
                    }
                }
            }
        }
    }
}
