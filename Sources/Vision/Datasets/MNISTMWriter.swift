// Writing a complete MNIST-M folder once and atomically: everything goes into a hidden
// folder beside the target, which is renamed to the target's name only when every file is
// written. A target that already exists is never overwritten.
import Autograd
import Foundation

public enum MNISTMWriter {
    /// What a build made, for the command's report.
    public struct Summary: Sendable {
        public let folder: URL
        public let trainCount: Int
        public let testCount: Int
        public let photoCount: Int
        public let seconds: Double
    }

    /// Builds MNIST-M from the MNIST in `mnist` (the built-in copy when nil) and the photos
    /// of `photos` (a BSDS500 `images/train` folder) into `target`.
    public static func build(mnist: URL?, photos folder: URL, seed: UInt64, into target: URL) throws -> Summary {
        let started = Date()
        if FileManager.default.fileExists(atPath: target.path) {
            let problems = StandardDataset.mnistm.layout.problems(in: target)
            throw DataError(.unwritable, file: target.path, problems.isEmpty
                ? "MNIST-M is already there; it is written once and not rebuilt (remove the folder first to rebuild it)"
                : "exists but is not a complete MNIST-M folder (\(problems.joined(separator: "; "))); it was left untouched: move it away and run the command again")
        }
        let train = try MNIST(split: .train, directory: mnist), test = try MNIST(split: .test, directory: mnist)
        for digits in [train, test] where digits.rows != MNISTM.side || digits.columns != MNISTM.side {
            throw DataError(.mismatch, file: mnist?.path ?? "MNIST", "holds \(digits.columns)x\(digits.rows) digits; MNIST-M is made from 28x28 ones")
        }
        let photos = try MNISTMBuilder.loadPhotos(folder)
        let generator = RandomGenerator(seed: seed)
        let trainPatches = MNISTMBuilder.drawPatches(count: train.count, photos: photos, generator: generator)
        let testPatches = MNISTMBuilder.drawPatches(count: test.count, photos: photos, generator: generator)
        let parent = target.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw DataError(.unwritable, file: parent.path, "cannot create folder: \(error.localizedDescription)")
        }
        let staging = FileIO.temporarySibling(of: target)
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
            for (split, digits, patches) in [(MNIST.Split.train, train, trainPatches), (.test, test, testPatches)] {
                let images = MNISTMBuilder.blend(digits: digits.pixels, patches: patches, photos: photos)
                let names = MNISTM.files(split)
                try writeIDX(images, dimensions: [digits.count, MNISTM.side, MNISTM.side, 3], to: staging.appendingPathComponent(names.images))
                try writeIDX(digits.labels, dimensions: [digits.count], to: staging.appendingPathComponent(names.labels))
            }
            let note = sourceNote(seed: seed, photos: folder, photoCount: photos.count, mnist: mnist, counts: (train.count, test.count))
            try DiskWrite.file(Array(note.utf8), to: staging.appendingPathComponent("SOURCE.md").path)
            try FileIO.moveIntoPlace(staging, target)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
        return Summary(folder: target, trainCount: train.count, testCount: test.count, photoCount: photos.count,
                       seconds: Date().timeIntervalSince(started))
    }

    /// An unsigned-byte IDX file: magic 0x0000 08 RANK, big-endian dimensions, data. Not
    /// gzipped: on photo textures gzip saves only 17% (Huffman-only 4%) and took most of the
    /// build and read-back time.
    static func writeIDX(_ data: [UInt8], dimensions: [Int], to url: URL) throws {
        var header: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions { header += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        let output = try DiskWrite.Output(path: url.path, append: false)
        try output.write(header)
        try output.write(data)
    }

    static func sourceNote(seed: UInt64, photos: URL, photoCount: Int, mnist: URL?, counts: (Int, Int)) -> String {
        """
        # MNIST-M (built by `gan data mnistm --seed \(seed)`)

        - Recipe: Ganin & Lempitsky, "Unsupervised Domain Adaptation by Backpropagation", ICML 2015.
          Each MNIST digit (28x28 gray, 0..255) is blended with a 28x28 patch cropped at a random place
          of a random BSDS500 training photo: every output channel is |patch - digit|.
        - Random choices: SwiftGAN's RandomGenerator (Philox4x32-10) with seed \(seed); per digit, train
          digits first then test, in MNIST order: photo index, patch left edge, patch top edge.
        - Digits: MNIST \(mnist?.path ?? "(the built-in copy)"); labels are MNIST's.
        - Photos: \(photoCount) images of \(photos.path) (BSDS500, Arbelaez et al., TPAMI 2011).
        - Files (IDX as MNIST's, not gzipped): train-images-idx4-ubyte (\(counts.0) x 28 x 28 x 3 unsigned bytes,
          RGB interleaved), train-labels-idx1-ubyte (\(counts.0) digits), t10k-images-idx4-ubyte
          (\(counts.1) x 28 x 28 x 3), t10k-labels-idx1-ubyte (\(counts.1) digits). Read with `MNISTM(split:directory:)`.

        """
    }
}
