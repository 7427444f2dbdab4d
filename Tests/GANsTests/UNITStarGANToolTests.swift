// `gan train` and `gan sample --input` for unit (a facade label map translated into a photo)
// and stargan (a CelebA photograph edited toward named attributes), at small sizes.
import Evaluation
import Foundation
import Vision
import XCTest
@testable import GANs

final class UNITStarGANToolTests: GanToolTestCase {
    func testUNITTranslatesARealImage() throws {
        let facades = try sharedData("facades")
        let run = work.appendingPathComponent("unit")
        let trained = try gan(["train", "unit", "--data-dir", facades.path, "--img-size", "32", "--dim", "16", "--iterations", "1",
                               "--sample-interval", "1", "--out", run.path])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertTrue(trained.stdout.contains("400 images of each domain"), trained.stdout)
        // 5 examples per row, each X1 / X1 -> 2 / X2 / X2 -> 1 stacked.
        let picture = try Image(contentsOf: run.appendingPathComponent("images/1.png"))
        XCTAssertEqual([picture.width, picture.height], [5 * 34 + 2, 4 * 32 + 4])

        let (_, labels) = try PairedImageDataset.halves(of: try Image(contentsOf: facades.appendingPathComponent("test/1.jpg")), file: "1")
        let input = work.appendingPathComponent("labels.png")
        try labels.writePNG(to: input)
        let out = work.appendingPathComponent("photo.png")
        let sampled = try gan(["sample", "unit", "--checkpoint", run.path, "--input", input.path, "--out", out.path])
        XCTAssertEqual(sampled.status, 0, sampled.stderr)
        let photo = try Image(contentsOf: out)
        XCTAssertEqual([photo.width, photo.height, photo.channels], [32, 32, 3])
        let refused = try gan(["sample", "unit", "--checkpoint", run.path, "--input", input.path, "--attributes", "Male", "--out", out.path])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("--attributes applies to the attribute-editing models"), refused.stderr)
        let noClassifier = try gan(["eval", run.path, "--classifier", input.path])
        XCTAssertNotEqual(noClassifier.status, 0)
        XCTAssertTrue(noClassifier.stderr.contains("--classifier applies to runs of an attribute-editing model (stargan)"), noClassifier.stderr)
    }

    func testStarGANEditsARealPhotograph() throws {
        let celeba = try sharedData("celeba")
        let run = work.appendingPathComponent("stargan")
        let trained = try gan(["train", "stargan", "--data-dir", celeba.path, "--img-size", "32", "--n-strided", "4", "--residual-blocks", "1",
                               "--batch-size", "2", "--iterations", "1", "--sample-interval", "1", "--out", run.path])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        XCTAssertTrue(trained.stdout.contains("8000 faces (2000 more held out)"), trained.stdout)
        // 10 rows of a face and its 5 edits.
        let picture = try Image(contentsOf: run.appendingPathComponent("images/1.png"))
        XCTAssertEqual([picture.width, picture.height], [6 * 34 + 2, 10 * 34 + 2])

        let face = celeba.appendingPathComponent("img_align_celeba/000001.jpg")
        let out = work.appendingPathComponent("edited.png")
        let edited = try gan(["sample", "stargan", "--checkpoint", run.path, "--input", face.path, "--attributes", "Blond_Hair,Male",
                              "--out", out.path])
        XCTAssertEqual(edited.status, 0, edited.stderr)
        let image = try Image(contentsOf: out)
        XCTAssertEqual([image.width, image.height, image.channels], [32, 32, 3])

        let misspelt = try gan(["sample", "stargan", "--checkpoint", run.path, "--input", face.path, "--attributes", "Blonde_Hair",
                                "--out", out.path])
        XCTAssertNotEqual(misspelt.status, 0)
        XCTAssertTrue(misspelt.stderr.contains("stargan was trained on Black_Hair, Blond_Hair, Brown_Hair, Male, Young; 'Blonde_Hair' is not one of them"),
                      misspelt.stderr)
        let none = try gan(["sample", "stargan", "--checkpoint", run.path, "--input", face.path, "--out", out.path])
        XCTAssertNotEqual(none.status, 0)
        XCTAssertTrue(none.stderr.contains("give --attributes"), none.stderr)

        // gan eval: two held-out faces, five edits each, judged by the shipped classifier.
        let scored = try gan(["eval", run.path, "--n", "2", "--json"])
        XCTAssertEqual(scored.status, 0, scored.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(scored.stdout.utf8)) as? [String: Any], scored.stdout)
        XCTAssertEqual(report["n"] as? Int, 2)
        XCTAssertEqual((report["edit_accuracy"] as? [String: Double])?.keys.sorted(), StarGAN.defaultAttributes)
        let accuracy = try XCTUnwrap(report["accuracy"] as? Double), l1 = try XCTUnwrap(report["l1"] as? Double)
        XCTAssertTrue((0...1).contains(accuracy) && (accuracy * 10).rounded() == accuracy * 10, "\(accuracy)")
        XCTAssertTrue(l1 > 0 && l1 < 1, "\(l1)")
        let table = try gan(["eval", run.path, "--n", "1"])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("1 held-out faces, each edited once per attribute"), table.stdout)
        let other = work.appendingPathComponent("other.safetensors")
        try AttributeClassifier(attributes: ["Male", "Smiling"]).save(to: other, metadata: [:])
        let mismatched = try gan(["eval", run.path, "--n", "1", "--classifier", other.path])
        XCTAssertNotEqual(mismatched.status, 0)
        XCTAssertTrue(mismatched.stderr.contains("the attribute classifier predicts Male,Smiling, but this stargan run edits"), mismatched.stderr)
    }
}
