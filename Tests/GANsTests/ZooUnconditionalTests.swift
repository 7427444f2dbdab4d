import XCTest
@testable import GANs

/// One test per unconditional model of issue 8 beyond gan and dcgan (see ZooHarness.swift
/// for what each checks). Parameter counts are those of the PyTorch-GAN reference at its
/// defaults (counted with torch on the reference's architectures).
final class ZooUnconditionalTests: XCTestCase {
    func testLSGAN() throws {
        try checkZooModel(LSGAN.self, parameterCounts: ["generator": 1_049_729, "discriminator": 98_113])
    }

    func testWGAN() throws {
        try checkZooModel(WGAN.self, parameterCounts: ["generator": 1_510_032, "discriminator": 533_505],
                          // The critic's output bias cancels in D(real) - D(fake).
                          invariant: ["discriminator.model.4.bias"])
    }

    func testWGANGP() throws {
        try checkZooModel(WGANGP.self, parameterCounts: ["generator": 1_510_032, "discriminator": 533_505],
                          // The critic's output bias cancels in D(real) - D(fake).
                          invariant: ["discriminator.model.4.bias"])
    }

    func testWGANDiv() throws {
        try checkZooModel(WGANDiv.self, parameterCounts: ["generator": 1_510_032, "discriminator": 533_505],
                          // The critic's output bias cancels in D(real) - D(fake).
                          invariant: ["discriminator.model.4.bias"])
    }

    func testDRAGAN() throws {
        try checkZooModel(DRAGAN.self, parameterCounts: ["generator": 1_049_985, "discriminator": 98_113])
    }

    func testDRAGANTwoSidedPenalty() throws {
        try checkZooModel(DRAGAN.self, parameterCounts: ["generator": 1_049_985, "discriminator": 98_113],
                          extra: ["two-sided": 1])
    }

    func testBEGAN() throws {
        try checkZooModel(BEGAN.self, parameterCounts: ["generator": 738_689, "discriminator": 1_099_041, "balance": 0])
    }

    func testEBGAN() throws {
        try checkZooModel(EBGAN.self, parameterCounts: ["generator": 738_433, "discriminator": 1_099_041])
    }

    func testBGAN() throws {
        try checkZooModel(BGAN.self, parameterCounts: ["generator": 1_510_032, "discriminator": 533_505])
    }

    func testSoftmaxGAN() throws {
        try checkZooModel(SoftmaxGAN.self, parameterCounts: ["generator": 1_510_032, "discriminator": 533_505])
    }

    /// Only differences of critic scores enter the losses, so a constant shift of every score
    /// (the output bias, and the last batch norm's bias in front of the linear layer) has no
    /// gradient.
    static let relativisticInvariant: Set<String> = ["discriminator.adv_layer.0.bias", "discriminator.model.14.bias"]

    func testRelativisticGAN() throws {
        try checkZooModel(RelativisticGAN.self, parameterCounts: ["generator": 1_049_985, "discriminator": 98_113],
                          invariant: Self.relativisticInvariant)
    }

    func testRelativisticAverageGAN() throws {
        try checkZooModel(RelativisticGAN.self, parameterCounts: ["generator": 1_049_985, "discriminator": 98_113],
                          extra: ["rel-avg-gan": 1], invariant: Self.relativisticInvariant)
    }
}
