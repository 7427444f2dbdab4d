import Autograd
import Foundation
import XCTest
@testable import Evaluation

/// L1, PSNR and SSIM against scikit-image on real image pairs
/// (Scripts/make_similarity_fixtures.py).
final class ImageSimilarityTests: XCTestCase {
    struct Batch {
        let a: [UInt8], b: [UInt8], shape: [Int]
        let expected: [(l1: Double, psnr: Double, ssim: Double)]

        /// The images as the model side holds them: in [-1, 1] or, as loaded, [0, 1].
        func tensors(signed: Bool) -> (Tensor, Tensor) {
            func t(_ u: [UInt8]) -> Tensor {
                Tensor(shape: shape, scalars: u.map { signed ? Float($0) / 127.5 - 1 : Float($0) / 255 })
            }
            return (t(a), t(b))
        }
    }

    func batch(_ name: String) throws -> Batch {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/image_similarity.json")
        let f = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let b = try XCTUnwrap(f[name] as? [String: Any])
        func bytes(_ key: String) throws -> [UInt8] { [UInt8](try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(b[key] as? String)))) }
        let expected = try XCTUnwrap(b["expected"] as? [[String: Double]]).map { ($0["l1"]!, $0["psnr"]!, $0["ssim"]!) }
        return Batch(a: try bytes("a"), b: try bytes("b"), shape: try XCTUnwrap(b["shape"] as? [Int]), expected: expected)
    }

    func check(_ name: String) throws {
        let batch = try batch(name)
        // [0, 1] input: the exact values scikit-image was given, so only summation order differs.
        let (a, b) = batch.tensors(signed: false)
        let s = try imageSimilarity(a, b, valueRange: 0...1)
        XCTAssertEqual(s.count, batch.expected.count)
        for (i, e) in batch.expected.enumerated() {
            XCTAssertEqual(s.l1[i], e.l1, accuracy: 1e-9, "\(name)[\(i)] L1")
            XCTAssertEqual(s.psnr[i], e.psnr, accuracy: 1e-8, "\(name)[\(i)] PSNR")
            XCTAssertEqual(s.ssim[i], e.ssim, accuracy: 1e-9, "\(name)[\(i)] SSIM")
        }
        // [-1, 1] input, as models output it: float32 rounding of u / 127.5 - 1 only.
        let (x, y) = batch.tensors(signed: true)
        let t = try imageSimilarity(x, y)
        for (i, e) in batch.expected.enumerated() {
            XCTAssertEqual(t.l1[i], e.l1, accuracy: 1e-6, "\(name)[\(i)] L1 from [-1, 1]")
            XCTAssertEqual(t.psnr[i], e.psnr, accuracy: 1e-5, "\(name)[\(i)] PSNR from [-1, 1]")
            XCTAssertEqual(t.ssim[i], e.ssim, accuracy: 1e-5, "\(name)[\(i)] SSIM from [-1, 1]")
        }
        XCTAssertEqual(s.meanSSIM, batch.expected.map(\.ssim).reduce(0, +) / Double(batch.expected.count), accuracy: 1e-9)
    }

    func testColourMatchesScikitImage() throws { try check("colour") }
    func testGrayMatchesScikitImage() throws { try check("gray") }
    func testSmallestImageMatchesScikitImage() throws { try check("tiny") }

    func testIdenticalImages() throws {
        let x = Tensor.uniform([2, 3, 9, 11], low: -1, high: 1, generator: RandomGenerator(seed: 1))
        let s = try imageSimilarity(x, x)
        XCTAssertEqual(s.l1, [0, 0])
        XCTAssertEqual(s.psnr, [.infinity, .infinity])
        for v in s.ssim { XCTAssertEqual(v, 1, accuracy: 1e-12) }
        // Symmetric in its arguments.
        let y = Tensor.uniform([2, 3, 9, 11], low: -1, high: 1, generator: RandomGenerator(seed: 2))
        let (p, q) = (try imageSimilarity(x, y), try imageSimilarity(y, x))
        for i in 0..<2 { XCTAssertEqual(p.ssim[i], q.ssim[i], accuracy: 1e-12) }
        XCTAssertEqual(p.psnr, q.psnr)
    }

    func testRejectsMismatchedOrTinyImages() {
        XCTAssertThrowsError(try imageSimilarity(Tensor.zeros([1, 3, 8, 8]), Tensor.zeros([1, 3, 8, 9])))
        XCTAssertThrowsError(try imageSimilarity(Tensor.zeros([1, 3, 6, 8]), Tensor.zeros([1, 3, 6, 8])))
        XCTAssertThrowsError(try imageSimilarity(Tensor.zeros([3, 8, 8]), Tensor.zeros([3, 8, 8])))
    }
}
