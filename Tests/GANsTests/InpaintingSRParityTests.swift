import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// ccgan's, context_encoder's, srgan's and esrgan's networks and VGG19's feature layers
/// against PyTorch-GAN's own models.py and torchvision's layer list
/// (Scripts/make_inpainting_sr_parity.py): parameter counts, state-dict keys and shapes in
/// PyTorch's order, and one forward pass with the script's formula weights.
final class InpaintingSRParityTests: XCTestCase {
    nonisolated(unsafe) static var cached: [String: Any]?

    func network(_ name: String) throws -> [String: Any] {
        if Self.cached == nil {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/inpainting_sr_parity.json")
            Self.cached = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        }
        let nets = try XCTUnwrap(Self.cached?["networks"] as? [String: Any])
        return try XCTUnwrap(nets[name] as? [String: Any], "no fixture for \(name)")
    }

    /// The script's weights: tensor k element i, s = sin(0.37 ((i * i) mod 1013) + 1.3 k + phase);
    /// s / sqrt(numel / shape[0]) for weights of 2 or more dimensions, 0.5 + 0.25 s for vectors.
    static func fill(_ net: Module, phase: Double) {
        let dict = net.stateDict()
        for (k, name) in dict.names.enumerated() where !name.hasSuffix("num_batches_tracked") {
            let t = dict[name]!
            // (i * i) mod 1013 repeats with period 1013: one table of sines per tensor.
            let scale = t.shape.count >= 2 ? 1 / (Double(t.count) / Double(t.shape[0])).squareRoot() : 0
            let table = (0..<1013).map { i in
                let s = sin(0.37 * Double((i * i) % 1013) + 1.3 * Double(k) + phase)
                return Float(t.shape.count >= 2 ? s * scale : 0.5 + 0.25 * s)
            }
            var values = [Float](repeating: 0, count: t.count)
            values.withUnsafeMutableBufferPointer { v in
                table.withUnsafeBufferPointer { tab in
                    var j = 0
                    for i in 0..<v.count {
                        v[i] = tab[j]
                        j = j == 1012 ? 0 : j + 1
                    }
                }
            }
            t.assign(Tensor(shape: t.shape, scalars: values))
        }
    }

    static func input(_ shape: [Int], phase: Double) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float(0.9 * sin(0.11 * Double($0) + phase)) })
    }

    /// Count, keys and shapes, then the forward pass (`run` gets the fixture's inputs) in
    /// training mode without dropout, within 1e-4 of PyTorch relative to max(1, |value|).
    func check(_ net: Module, _ name: String, parameters: Int, file: StaticString = #filePath, line: UInt = #line,
               run: ([Tensor]) -> Tensor) throws {
        let f = try network(name)
        XCTAssertEqual(f["parameters"] as? Int, parameters, "\(name): the reference's count", file: file, line: line)
        XCTAssertEqual(net.parameterCount, parameters, "\(name) parameter count", file: file, line: line)
        let dict = net.stateDict()
        let expected = try XCTUnwrap(f["state"] as? [[Any]]).map { "\($0[0] as! String) \($0[1] as! [Int])" }
        XCTAssertEqual(dict.names.map { "\($0) \(dict[$0]!.shape)" }, expected, "\(name): state-dict keys and shapes", file: file, line: line)
        Self.fill(net, phase: try XCTUnwrap(f["phase"] as? Double))
        net.train()
        for m in net.modules() where m is Dropout { m.eval() }
        let phases = [0.5, 0.2]
        let inputs = try XCTUnwrap(f["input_shapes"] as? [[Int]]).enumerated().map { Self.input($1, phase: phases[$0]) }
        let out = withoutGrad { run(inputs) }
        XCTAssertEqual(out.shape, try XCTUnwrap(f["output_shape"] as? [Int]), "\(name) output shape", file: file, line: line)
        let stride = try XCTUnwrap(f["stride"] as? Int), reference = try XCTUnwrap(f["output"] as? [Double])
        let ours = out.scalars
        XCTAssertEqual((ours.count + stride - 1) / stride, reference.count, file: file, line: line)
        var worst = 0.0
        for (j, b) in reference.enumerated() { worst = max(worst, abs(Double(ours[j * stride]) - b) / max(1, abs(b))) }
        XCTAssertLessThan(worst, 1e-4, "\(name): largest difference from PyTorch", file: file, line: line)
    }

    func testCCGANNetworks() throws {
        let g = UNetGenerator(.ccgan())
        try check(g, "ccgan_G", parameters: 29_257_731) { g($0[0], $0[1]) }
        let d = InpaintingDiscriminator()
        try check(d, "ccgan_D", parameters: 1_555_585) { d($0[0]) }
    }

    func testContextEncoderNetworks() throws {
        let g = ContextEncoderGenerator()
        try check(g, "context_encoder_G", parameters: 40_401_187) { g($0[0]) }
        let d = InpaintingDiscriminator()
        try check(d, "context_encoder_D", parameters: 1_555_585) { d($0[0]) }
    }

    func testSRGANNetworks() throws {
        let g = SRGANGenerator()
        try check(g, "srgan_G", parameters: 1_550_486) { g($0[0]) }
        let d = SuperResolutionDiscriminator()
        try check(d, "srgan_D", parameters: 4_693_697) { d($0[0]) }
        try check(d, "esrgan_D", parameters: 4_693_697) { d($0[0]) }
    }

    func testESRGANNetworks() throws {
        // The default 23 blocks: the reference's count; the forward with the fixture's 2.
        XCTAssertEqual(RRDBGenerator(residualBlocks: 23, negativeSlope: 0.01).parameterCount, 38_549_123)
        let g = RRDBGenerator(residualBlocks: 2, negativeSlope: 0.01)
        try check(g, "esrgan_G", parameters: 3_692_483) { g($0[0]) }
    }

    func testVGG19FeatureLayers() throws {
        let shallow = VGG19Features(layers: VGG19Features.relu3_4)
        try check(shallow, "vgg19_relu3_4", parameters: 2_325_568) { shallow($0[0]) }
        let deep = VGG19Features(layers: VGG19Features.conv5_4)
        try check(deep, "vgg19_conv5_4", parameters: 20_024_384) { deep($0[0]) }
    }
}
