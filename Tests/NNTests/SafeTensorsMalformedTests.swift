import XCTest
import Autograd
@testable import NN

/// Each malformed-file case must throw a SafeTensorsError naming the file and problem.
final class SafeTensorsMalformedTests: XCTestCase {
    private let file = "bad.safetensors"

    /// A file from a header string and data bytes, header length as given or correct.
    private func bytes(header: String, data: [UInt8], headerLength: UInt64? = nil) -> [UInt8] {
        let h = Array(header.utf8)
        let n = headerLength ?? UInt64(h.count)
        return withUnsafeBytes(of: n.littleEndian, Array.init) + h + data
    }

    private func problem(_ b: [UInt8]) -> SafeTensorsError.Problem? {
        do {
            _ = try SafeTensors.decode(b, file: file)
            return nil
        } catch {
            XCTAssertTrue(error.description.hasPrefix("safetensors file bad.safetensors: "), error.description)
            return error.problem
        }
    }

    private let f32x2 = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#

    func testValidFileDecodes() throws {
        let b = bytes(header: f32x2, data: [Float(1.5), -2].withUnsafeBytes { Array($0) })
        let d = try SafeTensors.decode(b, file: file)
        XCTAssertEqual(d["w"]?.scalars, [1.5, -2])
    }

    func testTruncatedBeforeHeaderLength() {
        XCTAssertEqual(problem([1, 2, 3]), .truncated(fileSize: 3))
        XCTAssertEqual(problem([]), .truncated(fileSize: 0))
    }

    func testHeaderLengthLargerThanFile() {
        XCTAssertEqual(problem(bytes(header: f32x2, data: [], headerLength: 1 << 40)),
                       .headerLengthPastEnd(headerLength: 1 << 40, fileSize: 8 + f32x2.utf8.count))
        XCTAssertEqual(problem(bytes(header: f32x2, data: [], headerLength: .max)),
                       .headerLengthPastEnd(headerLength: .max, fileSize: 8 + f32x2.utf8.count))
    }

    func testTruncatedData() {
        XCTAssertEqual(problem(bytes(header: f32x2, data: [0, 0, 0, 0])), .offsetsPastEnd(name: "w", end: 8, dataSize: 4))
    }

    func testHeaderNotJSON() {
        for h in ["not json", "{\"w\":", "[1,2]", "{\"w\":{\"dtype\":\"F32\"}} trailing", String(repeating: "[", count: 1000)] {
            guard case .headerNotJSON? = problem(bytes(header: h, data: [])) else { return XCTFail("accepted \(h)") }
        }
        guard case .headerNotJSON? = problem(bytes(header: "", data: [])) else { return XCTFail("accepted empty header") }
        guard case .headerNotJSON? = problem([2, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFE]) else { return XCTFail("accepted invalid UTF-8") }
    }

    func testOverlappingOffsets() {
        let h = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        XCTAssertEqual(problem(bytes(header: h, data: [UInt8](repeating: 0, count: 8))), .overlap(name: "b", other: "a"))
    }

    func testOffsetsPastEnd() {
        let h = #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#
        XCTAssertEqual(problem(bytes(header: h, data: [UInt8](repeating: 0, count: 8))), .offsetsPastEnd(name: "a", end: 16, dataSize: 8))
        let huge = #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[9223372036854775806,9223372036854775807]}}"#
        XCTAssertEqual(problem(bytes(header: huge, data: [0])), .offsetsPastEnd(name: "a", end: Int.max, dataSize: 1))
    }

    func testReversedOrNegativeOffsets() {
        let h = #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#
        guard case .badEntry(name: "a", _)? = problem(bytes(header: h, data: [])) else { return XCTFail() }
    }

    func testShapeDoesNotMatchByteSize() {
        let h = #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        XCTAssertEqual(problem(bytes(header: h, data: [UInt8](repeating: 0, count: 8))),
                       .byteSizeMismatch(name: "a", shape: [3], dtype: "F32", expected: 12, actual: 8))
    }

    func testShapeWhoseCountOverflowsIsRejectedWithoutAllocating() {
        let h = #"{"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}}"#
        guard case .byteSizeMismatch(name: "a", _, _, _, actual: 8)? = problem(bytes(header: h, data: [UInt8](repeating: 0, count: 8))) else { return XCTFail() }
    }

    func testUnknownDType() {
        let h = #"{"a":{"dtype":"F8_E9M9","shape":[1],"data_offsets":[0,1]}}"#
        XCTAssertEqual(problem(bytes(header: h, data: [0])), .unknownDType(name: "a", dtype: "F8_E9M9"))
    }

    func testMalformedEntries() {
        let cases = [
            #"{"a":{"shape":[1],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":[1]}}"#,
            #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#,
            #"{"a":[1,2]}"#,
            #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
            #"{"__metadata__":{"k":1}}"#,
        ]
        for h in cases {
            guard case .badEntry? = problem(bytes(header: h, data: [0, 0, 0, 0])) else { return XCTFail("accepted \(h)") }
        }
    }

    func testGapsAndTrailingBytes() {
        let gap = #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#
        XCTAssertEqual(problem(bytes(header: gap, data: [0, 0])), .gap(at: 0))
        let trailing = #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#
        XCTAssertEqual(problem(bytes(header: trailing, data: [0, 0])), .trailingBytes(covered: 1, dataSize: 2))
    }

    func testMissingFileNamesIt() {
        XCTAssertThrowsError(try SafeTensors.read("/nonexistent/x.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/x.safetensors"))
        }
    }
}
