import XCTest
import Autograd
@testable import NN

final class SafeTensorsFormatTests: XCTestCase {
    private func roundTrip(_ dict: StateDict) throws -> StateDict {
        let b = SafeTensors.encode(dict)
        return try SafeTensors.decode(b)
    }

    func testHeaderLayoutAndAlignment() throws {
        var d = StateDict()
        d["x"] = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let b = SafeTensors.encode(d)
        let n = b.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        XCTAssertEqual(n % 8, 0)
        let header = String(decoding: b[8..<(8 + Int(n))], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        XCTAssertEqual(header, #"{"x":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#)
        XCTAssertEqual(b.count, 8 + Int(n) + 16)
    }

    func testEveryDTypeRoundTrips() throws {
        let values: [Float] = [0, 1, -2, 3, 100, -7]
        var d = StateDict()
        for t in FileDType.allCases { d.set(t.rawValue, Tensor(values.map { t.rawValue.hasPrefix("U") ? Swift.abs($0) : $0 }), fileType: t) }
        d.set("flag", Tensor([0, 1]), fileType: .bool)
        let back = try roundTrip(d)
        for t in FileDType.allCases where t != .bool {
            XCTAssertEqual(back[t.rawValue]?.scalars, values.map { t.rawValue.hasPrefix("U") ? Swift.abs($0) : $0 }, t.rawValue)
            XCTAssertEqual(back.entry(t.rawValue)?.fileType, t)
        }
        XCTAssertEqual(back["flag"]?.scalars, [0, 1])
        XCTAssertEqual(back.names, d.names)
    }

    func testHalfPrecisionConversions() {
        XCTAssertEqual(DTypeConversion.halfToFloat(0x3C00), 1)
        XCTAssertEqual(DTypeConversion.halfToFloat(0xC000), -2)
        XCTAssertEqual(DTypeConversion.halfToFloat(0x7BFF), 65504)
        XCTAssertEqual(DTypeConversion.halfToFloat(0x0001), 0x1p-24)
        XCTAssertEqual(DTypeConversion.halfToFloat(0x7C00), .infinity)
        XCTAssertTrue(DTypeConversion.halfToFloat(0x7E00).isNaN)
        for bits in stride(from: 0, through: 0xFFFF, by: 7) where (bits & 0x7C00) != 0x7C00 {
            let h = UInt16(bits)
            XCTAssertEqual(DTypeConversion.floatToHalf(DTypeConversion.halfToFloat(h)), h == 0x8000 ? 0x8000 : h)
        }
        XCTAssertEqual(DTypeConversion.floatToHalf(1 + 0x1p-11), 0x3C00)  // tie rounds to even
        XCTAssertEqual(DTypeConversion.floatToBFloat(1), 0x3F80)
    }

    func testMetadataAndEmptyFile() throws {
        var d = StateDict()
        d.metadata = ["format": "pt", "quote": "a\"b\n"]
        let back = try roundTrip(d)
        XCTAssertEqual(back.metadata, d.metadata)
        XCTAssertEqual(back.count, 0)
    }

    func testAtomicWriteLeavesNoTemporaryFiles() throws {
        let dir = NSTemporaryDirectory() + "nn-atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var d = StateDict()
        d["a"] = Tensor([1])
        try SafeTensors.write(d, to: dir + "/m.safetensors")
        d["a"] = Tensor([2])
        try SafeTensors.write(d, to: dir + "/m.safetensors")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["m.safetensors"])
        XCTAssertEqual(try SafeTensors.read(dir + "/m.safetensors")["a"]?.scalars, [2])
        XCTAssertThrowsError(try SafeTensors.write(d, to: dir + "/missing/m.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("missing/m.safetensors"))
        }
    }

    func testJSONParser() throws {
        XCTAssertEqual(try JSONParser.parse(Array(#" {"a" : [1, -2, 3.5e1, true, null, "\u00e9\n"]} "#.utf8)),
                       .object([("a", .array([.integer(1), .integer(-2), .number(35), .bool(true), .null, .string("é\n")]))]))
        XCTAssertThrowsError(try JSONParser.parse(Array("99999999999999999999".utf8)))
        XCTAssertThrowsError(try JSONParser.parse(Array("\"\\ud800\"".utf8)))
    }
}
