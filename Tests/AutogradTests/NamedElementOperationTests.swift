import XCTest
@testable import Autograd

/// The named operations through which code outside the engine makes, writes and reads
/// tensors' elements, each with exact expectations.
final class NamedElementOperationTests: XCTestCase {
    func testWritingElementsStartsFromTheFillValue() {
        let t = Tensor(shape: [2, 3], filledWith: 7) { elements in
            XCTAssertEqual(elements.count, 6)
            elements[1] = 1
            elements[5] = -2
        }
        XCTAssertEqual(t.shape, [2, 3])
        XCTAssertEqual(t.scalars, [7, 1, 7, 7, 7, -2])
        XCTAssertEqual(Tensor(shape: [2]) { _ in }.scalars, [0, 0], "zeros unless told otherwise")
    }

    func testWritingElementsPassesTheBodysErrorOn() {
        struct Stop: Error {}
        XCTAssertThrowsError(try Tensor(shape: [1]) { (_) throws(Stop) in throw Stop() }) { XCTAssertTrue($0 is Stop) }
    }

    func testConcatenatingArrays() {
        let t = Tensor(shape: [3, 2], concatenating: [[1, 2], [3, 4], [5, 6]])
        XCTAssertEqual(t.scalars, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(Tensor(shape: [0, 4], concatenating: []).count, 0)
    }

    func testBytesThroughALookupTable() {
        let table = (0..<256).map { Float($0) / 127.5 - 1 }
        let bytes: [UInt8] = [0, 255, 128, 1]
        let t = Tensor(shape: [2, 2], bytes: bytes, through: table)
        XCTAssertEqual(t.scalars, [-1, 1, Float(128) / 127.5 - 1, Float(1) / 127.5 - 1])
        // A slice and a non-contiguous collection give the same values.
        XCTAssertEqual(Tensor(shape: [2], bytes: bytes[1..<3], through: table).scalars, [1, Float(128) / 127.5 - 1])
        XCTAssertEqual(Tensor(shape: [2], bytes: [UInt8]([255, 0]).reversed(), through: table).scalars, [-1, 1])
    }

    func testByteRowsFillOneRowEach() {
        let table = (0..<256).map { Float($0) * 2 }
        let t = Tensor(shape: [3, 1, 2], byteRows: [[1, 2], [3, 4], [5, 6]], through: table)
        XCTAssertEqual(t.scalars, [2, 4, 6, 8, 10, 12])
    }

    func testFills() {
        let t = Tensor.zeros([4])
        t.fill(2.5)
        XCTAssertEqual(t.scalars, [2.5, 2.5, 2.5, 2.5])
        t.fillUniform(low: -1, high: 1, generator: RandomGenerator(seed: 9))
        XCTAssertEqual(t.scalars, Tensor.uniform([4], low: -1, high: 1, generator: RandomGenerator(seed: 9)).scalars)
        t.fillNormal(mean: 1, std: 2, generator: RandomGenerator(seed: 4))
        XCTAssertEqual(t.scalars, Tensor.normal([4], mean: 1, std: 2, generator: RandomGenerator(seed: 4)).scalars)
    }

    func testSetItemWritesTheOneElement() {
        let k = Tensor(0)
        let view = k.detach()
        k.setItem(0.25)
        XCTAssertEqual(k.item(), 0.25)
        XCTAssertEqual(view.item(), 0.25, "in place: views see it")
        let counter = Tensor([3])
        counter.setItem(counter.item() + 1)
        XCTAssertEqual(counter.scalars, [4])
    }

    func testClampInPlace() {
        let t = Tensor([-3, -0.5, 0.5, 3, .nan])
        t.clampInPlace(to: -1...1)
        XCTAssertEqual(Array(t.scalars.prefix(4)), [-1, -0.5, 0.5, 1])
        XCTAssertTrue(t.scalars[4].isNaN, "NaN stays NaN, as torch's clamp_")
    }

    func testReadingElementsInPlace() {
        let t = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let (sum, count) = t.withUnsafeElements { ($0.reduce(0, +), $0.count) }
        XCTAssertEqual(sum, 10)
        XCTAssertEqual(count, 4)
        let first = t.withUnsafeElements { $0.baseAddress! } == t.storage.pointer
        XCTAssertTrue(first, "no copy")
    }
}
