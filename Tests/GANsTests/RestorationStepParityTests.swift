import Autograd
import Foundation
import NN
import XCTest
@testable import GANs

/// The first training iteration of context_encoder, srgan and esrgan gives the losses of
/// PyTorch-GAN's scripts on their own networks with the same weights and batch
/// (Scripts/make_restoration_step_parity.py; weights as InpaintingSRParityTests fills them).
/// srgan and esrgan run with the reference's choices (VGG19 layer, normalisation, slope,
/// one relativistic term) where ours differ, and esrgan also with both terms.
final class RestorationStepParityTests: XCTestCase {
    func fixture(_ model: String) throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/restoration_step_parity.json")
        let all = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return try XCTUnwrap(all[model] as? [String: Any])
    }

    /// Each loss within 1e-4 of PyTorch's, relative, or 1e-7 absolute: esrgan's feature loss
    /// (1.1e-5) is a mean difference of VGG19 features of size ~0.6, which PyTorch's own
    /// float32 gives to 3.6e-7 of its float64 ones.
    func assertLosses(_ losses: Losses, _ expected: [String: Any], names: [String: String] = [:],
                      file: StaticString = #filePath, line: UInt = #line) throws {
        for (name, value) in losses {
            let reference = try XCTUnwrap(expected[names[name] ?? name] as? Double, "\(name) in the fixture", file: file, line: line)
            XCTAssertEqual(Double(value), reference, accuracy: max(1e-4 * abs(reference), 1e-7), name, file: file, line: line)
        }
    }

    /// A VGG19 slice of `layers` layers filled with the formula (phase 0.3), as a file.
    func vggFile(layers: Int) throws -> String {
        let vgg = VGG19Features(layers: layers, generator: RandomGenerator(seed: 0))
        InpaintingSRParityTests.fill(vgg, phase: 0.3)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("swiftgan-vgg-\(UUID().uuidString).safetensors").path
        try SafeTensors.write(vgg.stateDict(), to: path)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func superResolutionBatch() -> TrainingBatch {
        TrainingBatch(images: InpaintingSRParityTests.input([2, 3, 32, 32], phase: 0.5),
                      lowResolution: InpaintingSRParityTests.input([2, 3, 8, 8], phase: 0.2))
    }

    func testContextEncoderFirstStep() throws {
        let f = try fixture("context_encoder")
        let common: [String: Double] = ["img-size": 32, "batch-size": 2]
        let corners = try XCTUnwrap(f["corners"] as? [[Int]]).map { (x: $0[0], y: $0[1]) }
        let batch = TrainingBatch(images: InpaintingSRParityTests.input([2, 3, 32, 32], phase: 0.5), holes: corners)
        for l2 in [false, true] {
            let model = ContextEncoder(config: try Zoo.config(for: ContextEncoder.self, common: common, extra: ["l2-loss": l2 ? 1 : 0]), seed: 0)
            InpaintingSRParityTests.fill(model.netG, phase: 0)
            InpaintingSRParityTests.fill(model.netD, phase: 0.7)
            let losses = try model.trainStep(batch, batchesDone: 0)
            // With L2 the generator's step differs, its first losses and D's do not.
            try assertLosses(losses, f, names: l2 ? ["g_pixel": "g_pixel_l2"] : [:])
        }
    }

    func testSRGANFirstStep() throws {
        var config = try Zoo.config(for: SRGAN.self, common: ["img-size": 32, "batch-size": 2],
                                    extra: ["reference-vgg-layer": 1, "imagenet-normalization": 1])
        config.files["vgg19"] = try vggFile(layers: VGG19Features.relu3_4)
        let model = SRGAN(config: config, seed: 0)
        InpaintingSRParityTests.fill(model.netG, phase: 0)
        InpaintingSRParityTests.fill(model.netD, phase: 0.7)
        try model.prepareToTrain()
        try assertLosses(try model.trainStep(superResolutionBatch(), batchesDone: 0), try fixture("srgan"))
    }

    func testESRGANFirstStep() throws {
        let f = try fixture("esrgan"), vgg = try vggFile(layers: VGG19Features.conv5_4)
        for bothTerms in [false, true] {
            var config = try Zoo.config(for: ESRGAN.self, common: ["img-size": 32, "batch-size": 2],
                                        extra: ["residual-blocks": 2, "warmup-batches": 0, "negative-slope": 0.01,
                                                "reference-adversarial": bothTerms ? 0 : 1])
            config.files["vgg19"] = vgg
            let model = ESRGAN(config: config, seed: 0)
            InpaintingSRParityTests.fill(model.netG, phase: 0)
            InpaintingSRParityTests.fill(model.netD, phase: 0.7)
            try model.prepareToTrain()
            let names = bothTerms ? ["adv": "adv_both_terms", "g_loss": "g_loss_both_terms"] : [:]
            try assertLosses(try model.trainStep(superResolutionBatch(), batchesDone: 0), f, names: names)
        }
    }
}
