import XCTest
import Autograd
@testable import NN

/// Files written from PyTorch tensors of every dtype read back as float32.
final class DTypeFixtureTests: XCTestCase {
    func testPyTorchDTypesConvert() throws {
        let f = try Fixture.load("dtypes")
        let values: [Float] = [0, 1, -2, 3.5, 100, -0.25]
        for name in ["f32", "f64", "f16", "bf16"] { XCTAssertEqual(f[name]?.scalars, values, name) }
        for name in ["i64", "i32", "i16", "i8"] { XCTAssertEqual(f[name]?.scalars, [0, 1, -2, 3, 100, 0], name) }
        XCTAssertEqual(f["u8"]?.scalars, [0, 1, 2, 3, 100, 0])
        XCTAssertEqual(f["bool"]?.scalars, [0, 1, 1, 1, 1, 1])
        XCTAssertEqual(f["scalar_i64"]?.shape, [])
        XCTAssertEqual(f["scalar_i64"]?.item(), 42)
        XCTAssertEqual(f["empty"]?.shape, [0, 3])
        XCTAssertEqual(f.entry("i64")?.fileType, .i64)
        XCTAssertEqual(f.entry("bf16")?.fileType, .bf16)
    }
}
