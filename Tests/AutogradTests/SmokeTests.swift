import XCTest
@testable import Autograd

final class SmokeTests: XCTestCase {
    func testAddBackward() throws {
        let a = Tensor([1, 2, 3], requiresGrad: true)
        let b = Tensor([4, 5, 6], requiresGrad: true)
        try (a * b).sum().backward()
        XCTAssertEqual(a.grad?.scalars, [4, 5, 6])
    }
}
