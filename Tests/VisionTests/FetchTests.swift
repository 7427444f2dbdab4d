// `DatasetFetcher` against a loopback HTTP server serving a facades archive built here from
// the shared facades copy, laid out as the publisher's facades.tar.gz (train 400, val 100,
// test 106; the shared copy has no val/, so the first 100 training pairs stand in for it):
// progress, resume after a cut connection, a server that ignores Range, atomic placement,
// a wrong checksum, a 404, a full disk (a file-size limit), and existing folders.
import Foundation
import XCTest
@testable import Vision

final class FetchTests: XCTestCase {
    /// Relative paths and bytes of the official layout, and the archive holding them.
    struct Facades { let files: [(String, [UInt8])]; let archive: [UInt8] }
    nonisolated(unsafe) static var cached: Facades?

    private var server: LoopbackHTTPServer!
    private var facades: Facades!
    private var folder: URL!
    private var output = OutputLog()

    final class OutputLog: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        var checks: [() -> Void] = []
        func append(_ piece: String) { lock.lock(); text += piece; lock.unlock(); checks.forEach { $0() } }
        var all: String { lock.lock(); defer { lock.unlock() }; return text }
    }

    override func setUpWithError() throws {
        facades = try Self.officialFacades()
        server = try LoopbackHTTPServer()
        server.set("/pix2pix/facades.tar.gz", .init(body: facades.archive, honoursRange: true))
        folder = try makeTemporaryFolder(self)
    }

    override func tearDown() { server?.stop() }   // nil when setUp skipped (no shared data)

    static func officialFacades() throws -> Facades {
        if let cached { return cached }
        let shared = try sharedDataFolder("facades")
        var files = [(String, [UInt8])]()
        for (split, source, count) in [("train", "train", 400), ("val", "train", 100), ("test", "test", 106)] {
            for i in 1...count {
                files.append(("\(split)/\(i).jpg", [UInt8](try Data(contentsOf: shared.appendingPathComponent("\(source)/\(i).jpg")))))
            }
        }
        let tar = TestArchive.tar([.directory("facades/")] + files.map { .file("facades/" + $0.0, $0.1) })
        cached = Facades(files: files, archive: gzipForTests(tar))
        return cached!
    }

    private var target: URL { folder.appendingPathComponent("data/facades") }
    private var part: URL { DatasetFetcher.partFile("facades.tar.gz", for: target) }

    private func fetcher() -> DatasetFetcher {
        let log = output
        return DatasetFetcher(mirror: server.baseURL.appendingPathComponent("pix2pix/"), timeout: 30,
                              progress: DownloadProgress(style: .lines) { log.append($0) })
    }

    private func facadesEntry(sha256: String?) -> StandardDataset {
        let official = StandardDataset.named("facades")!
        return StandardDataset(name: "facades", folder: "facades", title: official.title, citation: official.citation,
                               source: .archive(URL(string: "http://example.invalid/facades.tar.gz")!, kind: .tarGzip, root: "facades", sha256: sha256),
                               layout: official.layout)
    }

    private func assertIdenticalDataset(line: UInt = #line) throws {
        for (path, bytes) in facades.files {
            XCTAssertEqual([UInt8](try Data(contentsOf: target.appendingPathComponent(path))), bytes, path, line: line)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target.path).sorted(), ["test", "train", "val"], line: line)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("data").path), ["facades"],
                       "no partial download or hidden folder left", line: line)
    }

    private func fetchError(_ dataset: StandardDataset? = nil, line: UInt = #line) -> DataError? {
        do {
            try fetcher().fetch(dataset ?? StandardDataset.named("facades")!, into: target)
            XCTFail("the fetch should have failed", line: line)
        } catch let error as DataError {
            return error
        } catch {
            XCTFail("expected a DataError, got \(error)", line: line)
        }
        return nil
    }

    func testCutConnectionIsResumedWithRangeAndEndsWithTheIdenticalDataset() throws {
        let cut = facades.archive.count * 2 / 5
        server.set("/pix2pix/facades.tar.gz", .init(body: facades.archive, honoursRange: true, cutAfter: cut))
        let error = try XCTUnwrap(fetchError())
        XCTAssertEqual(error.kind, .download)
        XCTAssertTrue(error.problem.contains("connection was cut") && error.problem.contains("running the same command again resumes"), "\(error)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: target.path), "nothing under the final name")
        let kept = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: part.path)[.size] as? NSNumber).intValue
        XCTAssertTrue(kept > 0 && kept <= cut, "kept \(kept) of \(cut)")

        // The second run asks for the rest, and nothing appears under the final name until it is complete.
        server.set("/pix2pix/facades.tar.gz", .init(body: facades.archive, honoursRange: true))
        let finalName = target
        nonisolated(unsafe) var appearedEarly = false
        output.checks = [{ if FileManager.default.fileExists(atPath: finalName.path) { appearedEarly = true } }]
        XCTAssertEqual(try fetcher().fetch(facadesEntry(sha256: sha256Hex(facades.archive)), into: target), .fetched)
        XCTAssertFalse(appearedEarly)
        XCTAssertEqual(server.requestedRanges, [nil, "bytes=\(kept)-"])
        try assertIdenticalDataset()
        XCTAssertTrue(output.all.contains("facades.tar.gz: downloading of "), output.all)
        XCTAssertTrue(output.all.contains("facades.tar.gz: resuming at "), output.all)
        XCTAssertTrue(output.all.hasSuffix("facades.tar.gz: 100% (\(DownloadProgress.megabytes(Int64(facades.archive.count))) of \(DownloadProgress.megabytes(Int64(facades.archive.count))))\n"), output.all)
        // A complete dataset is not fetched again.
        XCTAssertEqual(try fetcher().fetch(StandardDataset.named("facades")!, into: target), .alreadyPresent)
        XCTAssertEqual(server.requestedPaths.count, 2)
    }

    func testServerIgnoringRangeRestartsCleanly() throws {
        try FileManager.default.createDirectory(at: part.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data([UInt8](repeating: 0xAB, count: 5000)).write(to: part)  // a partial file that is not a prefix
        server.set("/pix2pix/facades.tar.gz", .init(body: facades.archive, honoursRange: false))
        XCTAssertEqual(try fetcher().fetch(StandardDataset.named("facades")!, into: target), .fetched)
        XCTAssertEqual(server.requestedRanges, ["bytes=5000-"])
        try assertIdenticalDataset()
    }

    func testWrongChecksumDeletesTheDownloadAndWritesNothing() throws {
        let error = try XCTUnwrap(fetchError(facadesEntry(sha256: String(repeating: "0", count: 64))))
        XCTAssertEqual(error.kind, .download)
        XCTAssertTrue(error.problem.contains("checksum mismatch: SHA-256 \(sha256Hex(facades.archive))"), "\(error)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("data").path), [])
    }

    func testMissingFileIsAnHTTPStatusError() throws {
        server.set("/pix2pix/facades.tar.gz", .init(body: Array("gone".utf8), status: 404))
        let error = try XCTUnwrap(fetchError())
        XCTAssertEqual(error.file, server.baseURL.appendingPathComponent("pix2pix/facades.tar.gz").absoluteString)
        XCTAssertEqual(error.problem.lowercased(), "the server answered http 404 (not found) instead of the file")
        XCTAssertFalse(FileManager.default.fileExists(atPath: target.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: part.path), "no error page kept as a partial download")
    }

    func testFullDiskIsReportedAndTheDownloadResumesAfterwards() throws {
        let limit = 3 << 20
        var saved = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        let previousHandler = signal(SIGXFSZ, SIG_IGN)  // a write past the limit fails with EFBIG instead
        var limited = saved
        limited.rlim_cur = rlim_t(limit)
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited)
        let error = fetchError()
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        signal(SIGXFSZ, previousHandler)

        XCTAssertEqual(error?.kind, .unwritable)
        XCTAssertEqual(error?.file, part.path)
        XCTAssertTrue(error?.problem.contains("file size limit was reached") ?? false, "\(String(describing: error))")
        XCTAssertEqual(try Data(contentsOf: part).count, limit, "the partial download is kept")
        XCTAssertFalse(FileManager.default.fileExists(atPath: target.path))
        XCTAssertEqual(try fetcher().fetch(StandardDataset.named("facades")!, into: target), .fetched)
        XCTAssertEqual(server.requestedRanges.last, "bytes=\(limit)-")
        try assertIdenticalDataset()
    }

    func testIncompleteExistingFolderIsReportedAndLeftUntouched() throws {
        try FileManager.default.createDirectory(at: target.appendingPathComponent("train"), withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: target.appendingPathComponent("train/1.jpg"))
        let error = try XCTUnwrap(fetchError())
        XCTAssertEqual(error.kind, .mismatch)
        XCTAssertEqual(error.file, target.path)
        XCTAssertTrue(error.problem.contains("train/ holds 1 images, expected 400; val/ is missing; test/ is missing"), "\(error)")
        XCTAssertEqual(try Data(contentsOf: target.appendingPathComponent("train/1.jpg")), Data([1, 2, 3]))
        XCTAssertEqual(server.requestedPaths, [])
    }

    func testArchiveWithAnEntryOutsideTheTargetIsRefused() throws {
        let tar = TestArchive.tar([.file("facades/train/1.jpg", [1]), .file("facades/../../escaped.txt", [2])])
        server.set("/pix2pix/facades.tar.gz", .init(body: gzipForTests(tar)))
        let error = try XCTUnwrap(fetchError())
        XCTAssertEqual(error.file, part.path)
        XCTAssertTrue(error.problem.contains("entry \"facades/../../escaped.txt\" climbs out"), "\(error)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("data").path), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("escaped.txt").path))
    }
}
