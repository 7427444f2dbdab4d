// Where datasets are looked for and written (DataLocation), and the catalog's layout check
// on folders made here.
import Foundation
import XCTest
@testable import Vision

final class FetchLocationTests: XCTestCase {
    func testCandidatesInOrderAndTheFirstExistingWins() throws {
        let root = try makeTemporaryFolder(self)
        let work = root.appendingPathComponent("project/sub")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let env = ["SWIFTGAN_DATA_DIR": root.appendingPathComponent("store").path]
        let candidates = DataLocation.candidates(for: "facades", environment: env, currentDirectory: work).map(\.path)
        XCTAssertEqual(Array(candidates.prefix(4)), [root.path + "/store/facades", work.path + "/data/facades",
                                                    root.path + "/project/data/facades", root.path + "/data/facades"])
        XCTAssertNil(DataLocation.find("facades", environment: env, currentDirectory: work))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("data/facades"), withIntermediateDirectories: true)
        XCTAssertEqual(DataLocation.find("facades", environment: env, currentDirectory: work)?.path, root.path + "/data/facades")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("project/data/facades"), withIntermediateDirectories: true)
        XCTAssertEqual(DataLocation.find("facades", environment: env, currentDirectory: work)?.path, root.path + "/project/data/facades")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("store/facades"), withIntermediateDirectories: true)
        XCTAssertEqual(DataLocation.find("facades", environment: env, currentDirectory: work)?.path, root.path + "/store/facades")
        XCTAssertEqual(DataLocation.defaultTarget(for: "facades", environment: env, currentDirectory: work).path, root.path + "/store/facades")
        XCTAssertEqual(DataLocation.defaultTarget(for: "facades", environment: [:], currentDirectory: work).path, work.path + "/data/facades")
    }

    func testLayoutCheckCountsImagesAndNamesEachProblem() throws {
        let root = try makeTemporaryFolder(self)
        let monet = StandardDataset.named("monet2photo")!
        XCTAssertEqual(monet.layout.problems(in: root.appendingPathComponent("none")), ["no such folder"])
        for (folder, n) in [("trainA", 1_072), ("trainB", 6_287), ("testA", 121), ("testB", 750)] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            for i in 0..<n { FileManager.default.createFile(atPath: root.appendingPathComponent("\(folder)/\(i).jpg").path, contents: Data()) }
        }
        FileManager.default.createFile(atPath: root.appendingPathComponent("testB/notes.txt").path, contents: Data())
        FileManager.default.createFile(atPath: root.appendingPathComponent("testB/.hidden.jpg").path, contents: Data())
        XCTAssertEqual(monet.layout.problems(in: root), ["testB/ holds 750 images, expected 751"])
        XCTAssertFalse(monet.layout.isPresent(in: root))
        FileManager.default.createFile(atPath: root.appendingPathComponent("testB/750.png").path, contents: Data())
        XCTAssertTrue(monet.layout.isPresent(in: root))
        XCTAssertEqual(StandardDataset.named("FACADES")?.layout.summary, "train 400, val 100, test 106")
    }

    func testCatalogAddressesAreThePublishers() {
        func url(_ name: String) -> String? {
            if case .archive(let url, _, _, _) = StandardDataset.named(name)!.source { return url.absoluteString }
            return nil
        }
        XCTAssertEqual(url("facades"), "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz")
        XCTAssertEqual(url("monet2photo"), "http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/monet2photo.zip")
        XCTAssertEqual(url("bsds500")?.hasSuffix("/BSR_bsds500.tgz"), true)
        XCTAssertEqual(Set(StandardDataset.all.map(\.name)).count, StandardDataset.all.count, "names are unique")
    }
}
