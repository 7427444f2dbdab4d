import XCTest
import Autograd
@testable import NN

private final class Pair2: Module {
    @Parameter var weight = Tensor.zeros([2, 3])
    @Parameter var bias: Tensor? = Tensor.zeros([2])
    @Buffer var runningMean = Tensor.zeros([2])
}

final class StateDictLoadingTests: XCTestCase {
    func testRoundTripThroughFile() throws {
        let a = Pair2()
        a.weight.assign(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        a.runningMean.assign(Tensor([7, 8]))
        let path = NSTemporaryDirectory() + "nn-roundtrip-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try a.save(to: path, metadata: ["epoch": "3"])
        let b = Pair2()
        try b.load(from: path)
        XCTAssertEqual(b.weight.scalars, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(b.runningMean.scalars, [7, 8])
        XCTAssertEqual(try SafeTensors.read(path).metadata["epoch"], "3")
        XCTAssertTrue(b.weight.requiresGrad)
    }

    func testStrictReportsEverythingAndChangesNothing() {
        let m = Pair2()
        var dict = StateDict()
        dict["weight"] = Tensor.ones([3, 2])  // mis-shaped
        dict["running_mean"] = Tensor.ones([2])
        dict["extra"] = Tensor.ones([1])
        XCTAssertThrowsError(try m.loadStateDict(dict)) { error in
            let e = error as! StateDictError
            XCTAssertEqual(e.mismatch.missing, ["bias"])
            XCTAssertEqual(e.mismatch.unexpected, ["extra"])
            XCTAssertEqual(e.mismatch.misShaped.map(\.name), ["weight"])
            let text = e.description
            XCTAssertTrue(text.contains("missing keys: bias") && text.contains("unexpected keys: extra") && text.contains("weight (model [2, 3], file [3, 2])"), text)
        }
        XCTAssertEqual(m.runningMean.scalars, [0, 0])
    }

    func testNonStrictLoadsWhatMatches() throws {
        let m = Pair2()
        var dict = StateDict()
        dict["weight"] = Tensor.ones([3, 2])
        dict["running_mean"] = Tensor.ones([2])
        dict["extra"] = Tensor.ones([1])
        let report = try m.loadStateDict(dict, strict: false)
        XCTAssertEqual(report.missing, ["bias"])
        XCTAssertEqual(report.unexpected, ["extra"])
        XCTAssertEqual(m.runningMean.scalars, [1, 1])
        XCTAssertEqual(m.weight.scalars, [0, 0, 0, 0, 0, 0])
    }

    func testScopedAndMerged() {
        var all = StateDict()
        all.merge(StateDict([("weight", Tensor.ones([1]))]), prefix: "generator")
        all.merge(StateDict([("weight", Tensor.zeros([1]))]), prefix: "discriminator")
        XCTAssertEqual(all.names, ["generator.weight", "discriminator.weight"])
        XCTAssertEqual(all.scoped("discriminator")["weight"]?.scalars, [0])
    }
}
