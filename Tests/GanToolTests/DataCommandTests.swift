// `gan data` end to end: the listing, fetch's one-line errors, and `gan data mnistm` on a
// small MNIST and generated photos, including a write that fails under a file-size limit.
import Foundation
import GANs
import XCTest
@testable import Vision

final class DataCommandTests: XCTestCase {
    /// Runs `gan ARGS` through /bin/sh, in `directory`, with `environment` added and an
    /// optional `ulimit -f` (in the shell's 512- or 1024-byte blocks).
    private func gan(_ arguments: [String], in directory: URL, environment: [String: String] = [:], fileLimitBlocks: Int? = nil) throws -> GanResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let quoted = ([Gan.executable.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        process.arguments = ["-c", (fileLimitBlocks.map { "ulimit -f \($0) && " } ?? "") + "exec " + quoted.joined(separator: " ")]
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["SWIFTGAN_DATA_DIR"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return GanResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                         stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// MNIST's first digits as IDX files and three generated photos as a BSDS500 root.
    private func smallInputs(_ root: URL, digits: Int) throws -> (mnist: URL, bsds: URL) {
        let mnist = root.appendingPathComponent("mnist-small"), bsds = root.appendingPathComponent("bsds")
        try FileManager.default.createDirectory(at: mnist, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: bsds.appendingPathComponent("images/train"), withIntermediateDirectories: true)
        for (split, prefix) in [(MNIST.Split.train, "train"), (.test, "t10k")] {
            let full = try MNIST(split: split)
            try MNISTMWriter.writeIDX(Array(full.pixels.prefix(digits * 784)), dimensions: [digits, 28, 28], to: mnist.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try MNISTMWriter.writeIDX(Array(full.labels.prefix(digits)), dimensions: [digits], to: mnist.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
        for k in 0..<3 {
            var pixels = [UInt8](repeating: 0, count: 50 * 40 * 3)
            for i in pixels.indices { pixels[i] = UInt8((i * (7 + k) + i / 150 * 13) % 256) }
            try Image(width: 50, height: 40, channels: 3, pixels: pixels).writePNG(to: bsds.appendingPathComponent("images/train/\(k).png"))
        }
        return (mnist, bsds)
    }

    func testListShowsPresentIncompleteAndMissingWithTheCommandToGetThem() throws {
        let root = try temporaryFolder(self)
        let store = root.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: store.appendingPathComponent("facades/train"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: try MNISTLocation.builtInDirectory(), to: store.appendingPathComponent("mnist"))
        let r = try gan(["data", "list"], in: root, environment: ["SWIFTGAN_DATA_DIR": store.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 1 + StandardDataset.all.count + 1 + Zoo.models.count + 1)
        XCTAssertEqual(lines.last, "Each NAME is looked for in $SWIFTGAN_DATA_DIR/NAME, ./data/NAME, then data/NAME in the parents of the current directory.")
        XCTAssertTrue(lines[0].hasPrefix("name") && lines[0].contains("status") && lines[0].contains("get it with"), lines[0])
        func row(_ name: String) -> String { lines.first { $0.hasPrefix(name + " ") } ?? "" }
        XCTAssertTrue(row("mnist").contains("present") && row("mnist").contains(store.path + "/mnist"), row("mnist"))
        XCTAssertTrue(row("facades").contains("incomplete: train/ holds 0 images, expected 400; val/ is missing; test/ is missing"), row("facades"))
        XCTAssertTrue(row("facades").contains("gan data fetch facades"), row("facades"))
        // Which models use each set, and what each model trains on.
        XCTAssertTrue(row("facades").hasSuffix("pix2pix"), row("facades"))
        XCTAssertTrue(row("mnist").contains("gan dcgan"), row("mnist"))
        let pix2pix = lines.first { $0.hasPrefix("  pix2pix ") } ?? ""
        XCTAssertEqual(pix2pix.split(separator: " ").map(String.init), ["pix2pix", "pairs", "facades"])
        XCTAssertTrue(row("monet2photo").contains("missing") && row("monet2photo").contains(store.path + "/monet2photo"), row("monet2photo"))
        XCTAssertTrue(row("mnistm").contains("gan data mnistm"), row("mnistm"))
    }

    func testFetchErrorsAreOneLine() throws {
        let root = try temporaryFolder(self)
        let unknown = try gan(["data", "fetch", "imagenet"], in: root)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.hasPrefix("Error: unknown dataset 'imagenet'; the standard ones are mnist, mnistm,"), unknown.stderr)
        // Nothing listens on port 9 of the loopback address.
        let refused = try gan(["data", "fetch", "facades", "--mirror", "http://127.0.0.1:9/", "--into", root.appendingPathComponent("f").path], in: root)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.hasPrefix("Error: http://127.0.0.1:9/facades.tar.gz: cannot download: "), refused.stderr)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), [])
        let badMirror = try gan(["data", "fetch", "facades", "--mirror", "ftp://x"], in: root)
        XCTAssertTrue(badMirror.stderr.contains("--mirror must be an http or https URL"), badMirror.stderr)
        let celeba = try gan(["data", "fetch", "celeba"], in: root)
        XCTAssertEqual(celeba.status, 1)
        XCTAssertTrue(celeba.stderr.contains("CelebA has no stable direct download address"), celeba.stderr)
        let mnistm = try gan(["data", "fetch", "mnistm"], in: root)
        XCTAssertTrue(mnistm.stderr.contains("run `gan data mnistm`"), mnistm.stderr)
    }

    func testMNISTMBuildsIntoTheDataFolderWithAPreview() throws {
        let root = try temporaryFolder(self)
        let (mnist, bsds) = try smallInputs(root, digits: 100)
        let r = try gan(["data", "mnistm", "--bsds", bsds.path, "--mnist", mnist.path, "--seed", "5", "--preview", "grid.png"], in: root)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("MNIST-M written to \(root.path)/data/mnistm: 100 train + 100 test images from 3 photos in "), r.stdout)
        let built = try MNISTM(split: .train, directory: root.appendingPathComponent("data/mnistm"))
        XCTAssertEqual(built.labels, try MNIST(split: .train, directory: mnist).labels)
        XCTAssertEqual(try Image(contentsOf: root.appendingPathComponent("grid.png")), try built.grid())
        let again = try gan(["data", "mnistm", "--bsds", bsds.path, "--mnist", mnist.path], in: root)
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("MNIST-M is already there; it is written once and not rebuilt"), again.stderr)
        let noPhotos = try gan(["data", "mnistm", "--into", "x"], in: root)
        XCTAssertTrue(noPhotos.stderr.hasPrefix("Error: BSDS500 not found (looked in "), noPhotos.stderr)
    }

    func testMNISTMUnderAFileSizeLimitFailsWithOneSentenceAndLeavesNothing() throws {
        let root = try temporaryFolder(self)
        let (mnist, bsds) = try smallInputs(root, digits: 2000)
        let r = try gan(["data", "mnistm", "--bsds", bsds.path, "--mnist", mnist.path, "--into", "out/mnistm"], in: root, fileLimitBlocks: 200)
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("Error: ") && r.stderr.contains("train-images-idx4-ubyte: the file size limit was reached"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("out").path), [], "no partial folder left")
    }
}
