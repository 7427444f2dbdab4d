import XCTest
import Autograd
@testable import NN

/// Minimal modules built from wrappers only, so naming is tested apart from the layers.
private final class Affine: Module {
    @Parameter var weight: Tensor
    @Parameter var bias: Tensor?
    @Buffer(fileType: .i64) var numBatchesTracked = Tensor(0)
    init(_ n: Int, bias: Bool = true) {
        weight = Tensor.ones([n])
        self.bias = bias ? Tensor.zeros([n]) : nil
        super.init()
    }
    override func forward(_ input: Tensor) -> Tensor { bias.map { input * weight + $0 } ?? input * weight }
}

private final class Net: Module {
    let l1: Sequential
    let convBlocks: Sequential
    let heads: [Module]
    let optionalHead: Affine?
    let absent: Affine? = nil
    override init() {
        l1 = Sequential(Affine(2))
        convBlocks = Sequential(Affine(3), Affine(3, bias: false))
        heads = [Affine(1), Affine(1)]
        optionalHead = Affine(4)
        super.init()
    }
}

final class ModuleNamingTests: XCTestCase {
    func testNamesFollowPyTorch() {
        let net = Net()
        XCTAssertEqual(net.stateDict().names, [
            "l1.0.weight", "l1.0.bias", "l1.0.num_batches_tracked",
            "conv_blocks.0.weight", "conv_blocks.0.bias", "conv_blocks.0.num_batches_tracked",
            "conv_blocks.1.weight", "conv_blocks.1.num_batches_tracked",
            "heads.0.weight", "heads.0.bias", "heads.0.num_batches_tracked",
            "heads.1.weight", "heads.1.bias", "heads.1.num_batches_tracked",
            "optional_head.weight", "optional_head.bias", "optional_head.num_batches_tracked",
        ])
        XCTAssertEqual(net.stateDict().entry("l1.0.num_batches_tracked")?.fileType, .i64)
        XCTAssertEqual(net.namedParameters().count, 11)
        XCTAssertEqual(net.parameterCount, 2 + 2 + 3 + 3 + 3 + 1 + 1 + 1 + 1 + 4 + 4)
    }

    func testTypedArraysOfModulesAreNumbered() {
        final class Blocks: Module {
            let resBlocks: [Sequential] = [Sequential(Affine(1)), Sequential(Affine(1))]
        }
        XCTAssertEqual(Blocks().namedParameters().map(\.name), ["res_blocks.0.0.weight", "res_blocks.0.0.bias", "res_blocks.1.0.weight", "res_blocks.1.0.bias"])
    }

    func testSnakeCase() {
        XCTAssertEqual(Reflection.snakeCase("convBlocks"), "conv_blocks")
        XCTAssertEqual(Reflection.snakeCase("l1"), "l1")
        XCTAssertEqual(Reflection.snakeCase("runningMean"), "running_mean")
        XCTAssertEqual(Reflection.snakeCase("already_snake"), "already_snake")
        XCTAssertEqual(Reflection.snakeCase("down1"), "down1")
    }

    func testTrainEvalPropagates() {
        let net = Net()
        net.eval()
        XCTAssertTrue(net.modules().allSatisfy { !$0.isTraining })
        net.train()
        XCTAssertTrue(net.modules().allSatisfy { $0.isTraining })
    }

    func testFreezeSubset() {
        let net = Net()
        let frozen = net.freeze { $0.hasPrefix("conv_blocks.") }
        XCTAssertEqual(frozen, ["conv_blocks.0.weight", "conv_blocks.0.bias", "conv_blocks.1.weight"])
        XCTAssertEqual(net.trainableParameterCount, net.parameterCount - 9)
        XCTAssertFalse(net.convBlocks[0].ownParameters[0].tensor.requiresGrad)
        net.unfreeze()
        XCTAssertEqual(net.trainableParameterCount, net.parameterCount)
    }

    func testParametersAreLeavesRequiringGrad() throws {
        let a = Affine(3)
        XCTAssertTrue(a.weight.requiresGrad)
        try a(Tensor([1, 2, 3])).sum().backward()
        XCTAssertEqual(a.weight.grad?.scalars, [1, 2, 3])
        a.zeroGrad()
        XCTAssertNil(a.weight.grad)
    }

    func testApplyVisitsChildrenFirst() {
        let net = Net()
        var order: [String] = []
        net.apply { order.append(String(describing: type(of: $0))) }
        XCTAssertEqual(order.last, "Net")
        XCTAssertEqual(order.count, net.modules().count)
    }

    func testSharedParameterListedOnce() {
        let a = Affine(2)
        let s = Sequential(a, a)
        XCTAssertEqual(s.parameters().count, 2)
        XCTAssertEqual(s.stateDict().count, 6)  // state_dict lists every name, as PyTorch
    }
}
