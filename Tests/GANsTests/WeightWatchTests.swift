// The finiteness check behind "non-finite weights stop training" (issue 22), on its own.
import Autograd
import NN
import XCTest
@testable import GANs

final class WeightWatchTests: XCTestCase {
    func testAllFiniteFindsANaNOrInfinityAnywhere() {
        // Sizes around the kernel's 4096-element blocks, the bad value at each end and between.
        for count in [1, 7, 4095, 4096, 4097, 10_000] {
            XCTAssertTrue(Tensor.zeros([count]).allFinite, "\(count)")
            for position in Set([0, count / 2, count - 1]) {
                for bad in [Float.nan, .infinity, -.infinity] {
                    var values = [Float](repeating: 1, count: count)
                    values[position] = bad
                    XCTAssertFalse(Tensor(shape: [count], scalars: values).allFinite, "\(bad) at \(position) of \(count)")
                }
            }
        }
        XCTAssertTrue(Tensor(shape: [3], scalars: [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude]).allFinite)
    }

    func testTheWatchNamesTheNetworkAndTensorThatOverflowed() throws {
        let model = DCGAN(config: try Zoo.config(for: DCGAN.self, common: [:], extra: [:]), seed: 0)
        let watch = WeightWatch(model)
        XCTAssertNil(watch.firstNonFinite())
        // A running variance (a buffer no loss sees) set to infinity in place, as an overflow would.
        let state = try XCTUnwrap(model.networks.first { $0.name == "discriminator" }).module.stateDict()
        let name = try XCTUnwrap(state.names.first { $0.hasSuffix("running_var") })
        state[name]!.assign(Tensor(shape: state[name]!.shape, scalars: [Float](repeating: .infinity, count: state[name]!.count)))
        let found = try XCTUnwrap(watch.firstNonFinite())
        XCTAssertEqual(found.network, "discriminator")
        XCTAssertEqual(found.tensor, name)
    }

    func testTheStepShareReachesEveryTensorWithinAFewSteps() throws {
        let model = DCGAN(config: try Zoo.config(for: DCGAN.self, common: [:], extra: [:]), seed: 0)
        let watch = WeightWatch(model)
        let total = watch.tensors.reduce(0) { $0 + $1.value.count }
        let cycle = (total + WeightWatch.floatsPerStep - 1) / WeightWatch.floatsPerStep
        // A NaN in the last element of the last tensor is found within one cycle, and by
        // every cycle after it, not before its share comes up.
        let last = try XCTUnwrap(watch.tensors.last)
        var values = last.value.scalars
        values[values.count - 1] = .nan
        last.value.assign(Tensor(shape: last.value.shape, scalars: values))
        var foundAt: [Int] = []
        for step in 1...(2 * cycle) where watch.nextNonFinite() != nil { foundAt.append(step) }
        XCTAssertEqual(foundAt, [cycle, 2 * cycle])
        XCTAssertEqual(watch.firstNonFinite()?.tensor, last.tensor)
    }
}
