// A run resumed from a checkpoint continues exactly as an uninterrupted one, for the
// image-to-image models whose own tests do not already show it (cyclegan's do): dropout
// masks, n_critic schedules and carried losses included.
import XCTest
@testable import GANs

final class ImageModelResumeTests: XCTestCase {
    func testPix2PixResumesExactly() throws {
        // The paper's dropout in the decoder draws from the "dropout" stream.
        try assertResumeIsIdentical(Pix2Pix.self, config: try Pix2PixTests.config(directory: try Pix2PixTests.facades()), iterations: 4)
    }

    func testDiscoGANResumesExactly() throws {
        try assertResumeIsIdentical(DiscoGAN.self, config: try DiscoGANTests.config(directory: try Pix2PixTests.facades()), iterations: 4)
    }

    func testDualGANResumesExactly() throws {
        // Six iterations: generator steps at 0 and 5, one on each side of the checkpoint.
        try assertResumeIsIdentical(DualGAN.self, config: try DualGANTests.config(directory: try Pix2PixTests.facades()), iterations: 6)
    }

    func testInpaintingModelsResumeExactly() throws {
        // ccgan's dropout draws from its "dropout" stream; one step on each side of the checkpoint.
        try assertResumeIsIdentical(CCGAN.self, config: try InpaintingModelTests.ccganConfig(), iterations: 2)
        try assertResumeIsIdentical(ContextEncoder.self, config: try InpaintingModelTests.contextEncoderConfig(), iterations: 2)
    }

    func testSuperResolutionModelsResumeExactly() throws {
        try assertResumeIsIdentical(SRGAN.self, config: try SuperResolutionModelTests.config(SRGAN.self, ["reference-vgg-layer": 1]), iterations: 2)
        // esrgan's warm-up batch before the checkpoint, an adversarial one after it.
        try assertResumeIsIdentical(ESRGAN.self, config: try SuperResolutionModelTests.esrganConfig(), iterations: 2)
    }
}
