// A small MNIST-M for the tests of the two-domain models (pixelda, cogan): the first digits
// of the built-in MNIST blended, with MNIST-M's recipe, into generated "photos", written as
// `gan data mnistm` writes the real one. Built once per test run.
import Autograd
import Foundation
import NN
import Vision
import XCTest
@testable import GANs

enum DomainTestData {
    nonisolated(unsafe) static var folder: URL?

    /// The folder of a 96-image train split and a 48-image test split.
    static func mnistm() throws -> String {
        if let folder { return folder.path }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("swiftgan-mnistm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        // Two 40x36 photos with a colour pattern.
        let photos = (0..<2).map { (k: Int) -> Image in
            let pixels: [UInt8] = (0..<(40 * 36 * 3)).map { (i: Int) -> UInt8 in UInt8((i * (7 + k) + 31 * k) % 256) }
            return Image(width: 40, height: 36, channels: 3, pixels: pixels)
        }
        let generator = RandomGenerator(seed: 11)
        for (split, count) in [(MNIST.Split.train, 96), (.test, 48)] {
            let digits = try MNIST(split: split)
            let patches = MNISTMBuilder.drawPatches(count: count, photos: photos, generator: generator)
            let images = MNISTMBuilder.blend(digits: Array(digits.pixels.prefix(count * 784)), patches: patches, photos: photos)
            let names = MNISTM.files(split)
            try idx(images, [count, 28, 28, 3]).write(to: out.appendingPathComponent(names.images))
            try idx(Array(digits.labels.prefix(count)), [count]).write(to: out.appendingPathComponent(names.labels))
        }
        folder = out
        return out.path
    }

    /// An unsigned-byte IDX file.
    private static func idx(_ bytes: [UInt8], _ dimensions: [Int]) -> Data {
        var header: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions { header += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        return Data(header + bytes)
    }

    /// Fills every state-dict tensor as Scripts/make_pixelda_cogan_parity.py does:
    /// 0.05 sin(0.37 ((i * i) mod 1013) + 1.3 k + phase) for element i of the k-th key,
    /// 1 + 0.1 sin(...) for running variances, num_batches_tracked untouched.
    static func fill(_ net: Module, phase: Double) {
        let dict = net.stateDict()
        for (k, name) in dict.names.enumerated() where !name.hasSuffix("num_batches_tracked") {
            let t = dict[name]!
            t.assign(Tensor(shape: t.shape, scalars: (0..<t.count).map { i in
                let v = sin(0.37 * Double((i * i) % 1013) + 1.3 * Double(k) + phase)
                return Float(name.hasSuffix("running_var") ? 1 + 0.1 * v : 0.05 * v)
            }))
        }
    }

    /// scale sin(rate j + offset) over the flattened tensor.
    static func formula(_ shape: [Int], _ scale: Double, _ rate: Double, _ offset: Double) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float(scale * sin(rate * Double($0) + offset)) })
    }

    static func fixture(_ name: String) throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)_parity.json")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// Our output against a fixture summary (shape, sum, sum of |y|, strided values): the
    /// largest difference of the values and of the sums (relative to the sum of |y|).
    static func compare(_ out: Tensor, _ summary: Any?, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let s = try XCTUnwrap(summary as? [String: Any], what)
        XCTAssertEqual(out.shape, try XCTUnwrap(s["shape"] as? [Int]), what, file: file, line: line)
        let stride = try XCTUnwrap(s["stride"] as? Int), want = try XCTUnwrap(s["values"] as? [Double])
        let values = out.scalars
        let picked = Swift.stride(from: 0, to: values.count, by: stride).map { Double(values[$0]) }
        XCTAssertEqual(picked.count, want.count, what, file: file, line: line)
        let diff = zip(picked, want).map { abs($0 - $1) }.max() ?? .infinity
        let absSum = try XCTUnwrap(s["abs_sum"] as? Double)
        let sumDiff = abs(values.reduce(0.0) { $0 + Double($1) } - (try XCTUnwrap(s["sum"] as? Double))) / max(1, absSum)
        print("\(what): max |difference| \(diff), relative sum difference \(sumDiff)")
        XCTAssertLessThanOrEqual(diff, 1e-4, "\(what): max |difference| \(diff)", file: file, line: line)
        XCTAssertLessThanOrEqual(sumDiff, 1e-5, "\(what): sums differ", file: file, line: line)
        XCTAssertEqual(values.map { Double(abs($0)) }.reduce(0, +), absSum, accuracy: 1e-4 * max(1, absSum), what, file: file, line: line)
    }

    /// Every state-dict key and shape in order, as "name [shape]".
    static func keys(_ net: Module) -> [String] {
        let dict = net.stateDict()
        return dict.names.map { "\($0) \(dict[$0]!.shape)" }
    }

    static func keys(_ fixture: [String: Any], _ key: String) throws -> [String] {
        try XCTUnwrap(fixture["\(key)_keys"] as? [[Any]]).map { "\($0[0] as! String) \($0[1] as! [Int])" }
    }
}
