import XCTest
import Autograd
@testable import NN

/// PyTorch-GAN-shaped models: a PyTorch state dict loads by name, and outputs, gradients
/// and three Adam / RMSprop steps match PyTorch.
final class ModelFixtureTests: XCTestCase {
    private func check(_ name: String, _ make: () -> Module, training: Bool, loss: (Tensor, Tensor) -> Tensor) throws {
        let state = try Fixture.load("\(name)_state")
        let data = try Fixture.load("\(name)_data")
        XCTAssertEqual(state.entry(state.names.first { $0.hasSuffix("num_batches_tracked") } ?? "")?.fileType, .i64)

        let model = make().train(training)
        try model.loadStateDict(state)
        XCTAssertEqual(Set(model.stateDict().names), Set(state.names))
        let x = data["input"]!, target = data["target"]!
        let y = model(x)
        assertClose(y, data["output"], tolerance: 1e-5, "\(name) output")
        let l = loss(y, target)
        assertClose(l, data["loss"], tolerance: 1e-5, "\(name) loss")
        try l.backward()
        for (n, p) in model.namedParameters() { assertClose(p.grad, data["grad.\(n)"], tolerance: 1e-4, "\(name) grad \(n)") }

        for (optName, makeOptimizer) in [
            ("adam", { (ps: [Tensor]) -> Optimizer in Adam(parameters: ps, learningRate: 0.01, betas: (0.5, 0.999)) }),
            ("rmsprop", { (ps: [Tensor]) -> Optimizer in RMSprop(parameters: ps, learningRate: 0.01) }),
        ] {
            try model.loadStateDict(state)
            // Biases feeding a training-mode batch norm have zero true gradient; the script
            // freezes them (see its export_model), and so do we.
            let frozen = Set((data.metadata["frozen"] ?? "").split(separator: ",").map(String.init))
            model.unfreeze()
            model.freeze { frozen.contains($0) }
            let opt = makeOptimizer(model.trainableParameters())
            for _ in 0..<3 {
                opt.zeroGrad()
                try loss(model(x), target).backward()
                opt.step()
            }
            let after = model.stateDict()
            for n in after.names { assertClose(after[n], data["\(optName).\(n)"], tolerance: 1e-4, "\(name) after 3 \(optName) steps: \(n)") }
        }
    }

    func testMLPGeneratorWithBatchNorm1dEps08() throws {
        try check("mlp_generator", { MLPGenerator() }, training: true, loss: fixtureMSE)
    }

    func testDCGANGenerator() throws {
        try check("dcgan_generator", { DCGANGenerator() }, training: true, loss: fixtureMSE)
    }

    func testDCGANDiscriminatorInEvalMode() throws {
        try check("dcgan_discriminator", { DCGANDiscriminator() }, training: false, loss: fixtureBCE)
    }

    func testPyTorchNamesOfPortedModels() {
        XCTAssertEqual(DCGANGenerator().stateDict().names.prefix(8), [
            "l1.0.weight", "l1.0.bias",
            "conv_blocks.0.weight", "conv_blocks.0.bias", "conv_blocks.0.running_mean", "conv_blocks.0.running_var",
            "conv_blocks.0.num_batches_tracked", "conv_blocks.2.weight",
        ])
        XCTAssertEqual(DCGANDiscriminator().namedParameters().last?.name, "adv_layer.0.bias")
    }
}
