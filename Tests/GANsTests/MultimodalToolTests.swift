// The `gan` command with a multimodal image-to-image model (munit, narrowed so a debug build
// trains it in seconds): its picture, `gan sample` on a real edge map (the input and 8
// outputs from 8 styles in a row) and `gan eval` with the outputs' diversity.
import Foundation
import Vision
import XCTest
@testable import GANs

final class MultimodalToolTests: GanToolTestCase {
    func testMUNITTranslatesARealEdgeMapIntoEightShoes() throws {
        let shoes = try sharedData("edges2shoes")
        let run = work.appendingPathComponent("munit")
        // The shared sample holds the edges in its B halves, hence --b-to-a.
        let trained = try gan(["train", "munit", "--data-dir", shoes.path, "--b-to-a", "--dim", "8", "--n-residual", "1",
                               "--iterations", "1", "--sample-interval", "1", "--out", run.path])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        // The picture: 5 validation inputs, each in a row with its 8 translations.
        let picture = try Image(contentsOf: run.appendingPathComponent("images/1.png"))
        XCTAssertEqual([picture.width, picture.height], [9 * 128 + 4, 5 * 130 + 2])

        let (_, edges) = try PairedImageDataset.halves(of: try Image(contentsOf: shoes.appendingPathComponent("val/1_AB.jpg")), file: "1_AB.jpg")
        let input = work.appendingPathComponent("edges.png"), output = work.appendingPathComponent("shoes.png")
        try edges.writePNG(to: input)
        let sampled = try gan(["sample", "munit", "--checkpoint", run.path, "--input", input.path, "--out", output.path])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
        let row = try Image(contentsOf: output)
        XCTAssertEqual([row.width, row.height, row.channels], [9 * 128, 128, 3])
        // Tiles 1 and 2 (two styles) differ.
        func tile(_ k: Int) -> [UInt8] {
            var pixels: [UInt8] = []
            for y in 0..<128 {
                let start: Int = (y * row.width + k * 128) * 3
                pixels += row.pixels[start..<(start + 128 * 3)]
            }
            return pixels
        }
        XCTAssertNotEqual(tile(1), tile(2), "two styles give two outputs")

        let scored = try gan(["eval", run.path, "--n", "1", "--json"])
        XCTAssertEqual(scored.status, 0, scored.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(scored.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["n"] as? Int, 1)
        let diversity = try XCTUnwrap(report["diversity"] as? Double)
        XCTAssertTrue(diversity > 0 && diversity < 1, "\(diversity)")
    }
}
