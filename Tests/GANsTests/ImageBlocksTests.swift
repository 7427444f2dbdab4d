import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// The shared image blocks assembled into the reference networks (issue 16): parameter
/// counts as in image-zoo-reference.md, state-dict keys and shapes in PyTorch's order and
/// output shapes against Scripts/make_block_fixtures.py, and forward outputs of small blocks
/// with fixed weights against PyTorch.
final class ImageBlocksTests: XCTestCase {
    struct NetworkFixture {
        let parameters: Int
        let state: [(String, [Int])]
        let inputShape: [Int]
        let outputShape: [Int]
    }

    nonisolated(unsafe) static var cached: [String: Any]?

    func fixture() throws -> [String: Any] {
        if let f = Self.cached { return f }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/image_blocks.json")
        let f = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        Self.cached = f
        return f
    }

    func network(_ name: String) throws -> NetworkFixture {
        let nets = try XCTUnwrap(try fixture()["networks"] as? [String: Any])
        let n = try XCTUnwrap(nets[name] as? [String: Any], "no fixture for \(name)")
        let state = try XCTUnwrap(n["state"] as? [[Any]]).map { ($0[0] as! String, $0[1] as! [Int]) }
        return NetworkFixture(parameters: try XCTUnwrap(n["parameters"] as? Int), state: state,
                              inputShape: try XCTUnwrap(n["input_shape"] as? [Int]),
                              outputShape: try XCTUnwrap(n["output_shape"] as? [Int]))
    }

    /// Count, ordered keys and shapes; then (unless `forward` is false) one forward pass in
    /// evaluation mode (no dropout) at the fixture's input shape.
    func check(_ net: Module, _ name: String, parameters: Int, forward: Bool = true,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let f = try network(name)
        XCTAssertEqual(net.parameterCount, parameters, "\(name) parameter count", file: file, line: line)
        XCTAssertEqual(f.parameters, parameters, "\(name): fixture parameter count", file: file, line: line)
        let dict = net.stateDict()
        let ours = dict.names.map { ($0, dict[$0]!.shape) }
        XCTAssertEqual(ours.map(\.0), f.state.map(\.0), "\(name) state-dict keys", file: file, line: line)
        for ((key, shape), (_, expected)) in zip(ours, f.state) where shape != expected {
            XCTFail("\(name).\(key): shape \(shape), PyTorch \(expected)", file: file, line: line)
        }
        guard forward else { return }
        net.eval()
        let out = net(Tensor.zeros(f.inputShape))
        XCTAssertEqual(out.shape, f.outputShape, "\(name) output shape", file: file, line: line)
    }

    func testPix2pixNetworks() throws {
        // The 8-level U-Net reaches 1x1 only at 256 px; one image keeps it to about a second.
        let g = UNetGenerator(.pix2pix())
        try check(g, "pix2pix_G", parameters: 54_404_099)
        // Up level k takes the previous output plus the mirrored skip; dropout exactly where
        // the reference has it (last in its block, so it shifts no indices).
        XCTAssertEqual(g.ups.map { ($0.model[0] as! ConvTranspose2d).weight.shape[0] }, [512, 1024, 1024, 1024, 1024, 512, 256])
        XCTAssertEqual(g.downs.map { $0.model.layers.last is Dropout }, [false, false, false, true, true, true, true, true])
        XCTAssertEqual(g.ups.map { $0.model.layers.last is Dropout }, [true, true, true, true, false, false, false])
        let d = PatchDiscriminator(inChannels: 6, head: .zeroPadConv4(padding: 1, bias: false))
        try check(d, "pix2pix_D", parameters: 2_767_808)
        XCTAssertEqual(d(Tensor.zeros([1, 3, 32, 32]), Tensor.zeros([1, 3, 32, 32])).shape, [1, 1, 2, 2])
    }

    func testCycleGANNetworks() throws {
        try check(ResNetGenerator(style: .cyclegan, residualBlocks: 9), "cyclegan_G", parameters: 11_378_179)
        try check(PatchDiscriminator(inChannels: 3), "cyclegan_D", parameters: 2_764_737)
    }

    func testDiscoGANNetworks() throws {
        try check(UNetGenerator(.discogan()), "discogan_G", parameters: 29_241_731)
        try check(PatchDiscriminator(inChannels: 3, widths: [64, 128, 256]), "discogan_D", parameters: 662_977)
    }

    func testDualGANNetworks() throws {
        try check(UNetGenerator(.dualgan()), "dualgan_G", parameters: 41_828_995)
        let d = PatchDiscriminator(inChannels: 3, widths: [64, 128, 256], norm: .batch(eps: 0.8),
                                   head: .zeroPadConv4(padding: 0, bias: true))
        try check(d, "dualgan_D", parameters: 663_745)
    }

    /// The other reference networks the blocks express, by parameter count (from
    /// image-zoo-reference.md) and a forward shape where it is cheap.
    func testOtherReferenceNetworks() throws {
        // stargan: 3 image channels + 5 tiled labels in, 6 residual blocks.
        let star = ResNetGenerator(style: .stargan, inChannels: 8, residualBlocks: 6)
        XCTAssertEqual(star.parameterCount, 8_430_531)
        XCTAssertTrue(star.stateDict().names.contains("model.9.conv_block.1.running_mean"))
        star.eval()
        XCTAssertEqual(star(Tensor.zeros([1, 8, 16, 16])).shape, [1, 3, 16, 16])

        // ccgan: 29,257,731; the low-resolution image joins after level 2.
        let cc = UNetGenerator(.ccgan())
        XCTAssertEqual(cc.parameterCount, 29_257_731)
        cc.eval()
        XCTAssertEqual(cc(Tensor.zeros([2, 3, 64, 64]), Tensor.zeros([2, 3, 16, 16])).shape, [2, 3, 64, 64])

        // bicyclegan: 23,680,259 with its fc (Linear 8 -> 128 * 128), which is the model's.
        let bicycle = UNetGenerator(.bicyclegan())
        XCTAssertEqual(bicycle.parameterCount + (8 * 128 * 128 + 128 * 128), 23_680_259)
        bicycle.eval()
        XCTAssertEqual(bicycle(Tensor.zeros([1, 4, 128, 128])).shape, [1, 3, 128, 128])

        // unit's D: PatchD with a conv 3/1/1 head, 2,761,153.
        XCTAssertEqual(PatchDiscriminator(inChannels: 3, head: .conv3).parameterCount, 2_761_153)
    }

    func testResidualBlockVariantsNameAndCount() throws {
        func keys(_ b: ResidualBlock) -> [String] { b.stateDict().names }
        // srgan: conv, BN.8, PReLU (one slope), conv, BN.8, in `conv_block`.
        let sr = ResidualBlock.srgan()
        XCTAssertEqual(sr.parameterCount, 2 * (64 * 64 * 9 + 64) + 2 * 128 + 1)
        XCTAssertEqual(keys(sr).filter { $0.hasSuffix("weight") },
                       ["conv_block.0.weight", "conv_block.1.weight", "conv_block.2.weight", "conv_block.3.weight", "conv_block.4.weight"])
        XCTAssertEqual((sr.block[1] as? BatchNorm2d)?.eps, 0.8)
        // pixelda: BatchNorm with PyTorch's eps, in `block`.
        let pix = ResidualBlock.pixelda()
        XCTAssertEqual((pix.block[1] as? BatchNorm2d)?.eps, 1e-5)
        XCTAssertTrue(keys(pix).contains("block.4.running_var"))
        // stargan: bias-free convs, affine IN with running statistics.
        XCTAssertEqual(keys(.stargan(4)), ["conv_block.0.weight", "conv_block.1.weight", "conv_block.1.bias",
                                           "conv_block.1.running_mean", "conv_block.1.running_var", "conv_block.1.num_batches_tracked",
                                           "conv_block.3.weight", "conv_block.4.weight", "conv_block.4.bias",
                                           "conv_block.4.running_mean", "conv_block.4.running_var", "conv_block.4.num_batches_tracked"])
        // unit: cyclegan's block under `conv_block`.
        XCTAssertEqual(keys(.cyclegan(4, blockName: "conv_block")), ["conv_block.1.weight", "conv_block.1.bias", "conv_block.5.weight", "conv_block.5.bias"])
        for b in [sr, pix, ResidualBlock.stargan(4), ResidualBlock.cyclegan(4)] {
            let c = b.block.layers.compactMap { $0 as? Conv2d }.first!.weight.shape[0]
            b.eval()
            XCTAssertEqual(b(Tensor.zeros([1, c, 5, 5])).shape, [1, c, 5, 5])
        }
    }

    func testUpBlockConcatenatesSkip() {
        let up = UNetUp(8, 4, upsampling: .nearestConv, norm: .batch(eps: 0.8))
        XCTAssertEqual(up(Tensor.zeros([2, 8, 3, 3]), Tensor.zeros([2, 5, 6, 6])).shape, [2, 9, 6, 6])
        XCTAssertEqual(up.stateDict().names, ["model.1.weight", "model.2.weight", "model.2.bias", "model.2.running_mean",
                                              "model.2.running_var", "model.2.num_batches_tracked"])
    }

    func testSeededDropoutIsReproducible() {
        var c = UNetConfig(inChannels: 1, outChannels: 1, widths: [4, 8, 8])
        c.downDropoutLevels = [2, 3]
        c.upDropoutLevels = [1]
        func run() -> [Float] {
            let g = UNetGenerator(c, generator: RandomGenerator(seed: 1), dropoutGenerator: RandomGenerator(seed: 2))
            return g(Tensor.uniform([2, 1, 8, 8], low: -1, high: 1, generator: RandomGenerator(seed: 3))).scalars
        }
        XCTAssertEqual(run(), run())
    }

    /// Random weights loaded from PyTorch, a random input, PyTorch's output (training mode:
    /// batch statistics; none of these blocks has dropout).
    func testForwardMatchesPyTorch() throws {
        let parity = try XCTUnwrap(try fixture()["parity"] as? [String: Any])
        func tensor(_ v: Any) throws -> Tensor {
            let a = try XCTUnwrap(v as? [Any])
            return Tensor(shape: try XCTUnwrap(a[0] as? [Int]), scalars: try XCTUnwrap(a[1] as? [Double]).map { Float($0) })
        }
        func compare(_ net: Module, _ name: String, tolerance: Float = 1e-4) throws {
            let p = try XCTUnwrap(parity[name] as? [String: Any])
            var dict = StateDict()
            for w in try XCTUnwrap(p["weights"] as? [[Any]]) { dict.set(w[0] as! String, try tensor([w[1], w[2]])) }
            // num_batches_tracked is not in the fixture: its value does not enter a forward.
            let report = try net.loadStateDict(dict, strict: false)
            XCTAssertTrue(report.unexpected.isEmpty && report.misShaped.isEmpty, "\(name): \(report)")
            XCTAssertTrue(report.missing.allSatisfy { $0.hasSuffix("num_batches_tracked") }, "\(name): \(report)")
            let out = net(try tensor(p["input"]!)), expected = try tensor(p["output"]!)
            XCTAssertEqual(out.shape, expected.shape, name)
            var worst: Float = 0
            for (a, b) in zip(out.scalars, expected.scalars) { worst = max(worst, abs(a - b) / max(1, abs(b))) }
            XCTAssertLessThan(worst, tolerance, "\(name): largest difference from PyTorch")
        }
        try compare(ResidualBlock.cyclegan(3), "residual_block")
        var small = UNetConfig(inChannels: 2, outChannels: 2, widths: [4, 8, 8])
        small.bias = true
        try compare(UNetGenerator(small), "unet")
        try compare(PatchDiscriminator(inChannels: 6, widths: [4, 8], head: .zeroPadConv4(padding: 1, bias: false)), "patch_d")
        try compare(PatchDiscriminator(inChannels: 3, widths: [4, 8], norm: .batch(eps: 0.8), head: .zeroPadConv4(padding: 0, bias: true)),
                    "patch_d_bn")
    }
}
