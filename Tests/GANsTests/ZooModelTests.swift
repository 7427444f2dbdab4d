import XCTest
@testable import GANs

/// One test per model of the zoo (see ZooHarness.swift for what each checks). Parameter
/// counts are those of the PyTorch-GAN reference at its defaults.
final class ZooModelTests: XCTestCase {
    func testGAN() throws {
        try checkZooModel(GAN.self, parameterCounts: ["generator": 1_510_032, "discriminator": 533_505])
    }

    func testDCGAN() throws {
        try checkZooModel(DCGAN.self, parameterCounts: ["generator": 1_049_985, "discriminator": 98_113])
    }
}
