// The MNIST download path against a local HTTP server: real files, a truncated transfer,
// a truncated file, a file with the wrong checksum, and mirror fallback. Nothing partial
// may be left in the target folder.
import Foundation
import XCTest
@testable import Vision

final class DownloadTests: XCTestCase {
    private var server: LoopbackHTTPServer!
    private let names = ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"]

    override func setUpWithError() throws {
        server = try LoopbackHTTPServer()
        let builtIn = try MNISTLocation.builtInDirectory()
        for name in names {
            let bytes = [UInt8](try Data(contentsOf: builtIn.appendingPathComponent(name + ".gz")))
            server.set("/mnist/\(name).gz", .init(body: bytes))
        }
    }

    override func tearDown() {
        server?.stop()   // nil when setUp could not start it
    }

    private func realBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: try MNISTLocation.builtInDirectory().appendingPathComponent(name + ".gz")))
    }

    private func contents(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    func testDownloadsRealFilesFallsBackAcrossMirrorsAndSkipsVerifiedFiles() async throws {
        let folder = try makeTemporaryFolder(self).appendingPathComponent("mnist")
        let downloader = MNISTDownloader(mirrors: [server.baseURL.appendingPathComponent("missing/"),
                                                   server.baseURL.appendingPathComponent("mnist/")], timeout: 30)
        let files = try await downloader.download(into: folder)
        XCTAssertEqual(files.map(\.lastPathComponent), names.map { $0 + ".gz" })
        XCTAssertEqual(try contents(folder), names.map { $0 + ".gz" }, "no temporary files left")
        for name in names { XCTAssertEqual([UInt8](try Data(contentsOf: folder.appendingPathComponent(name + ".gz"))), try realBytes(name)) }
        XCTAssertEqual(try MNIST(split: .test, directory: folder).count, 10_000)
        // A second run finds every file verified and fetches nothing.
        let before = server.requestedPaths.count
        try await downloader.download(into: folder)
        XCTAssertEqual(server.requestedPaths.count, before)
    }

    func testDroppedConnectionLeavesNoFile() async throws {
        let folder = try makeTemporaryFolder(self)
        let real = try realBytes("t10k-images-idx3-ubyte")
        server.set("/mnist/t10k-images-idx3-ubyte.gz", .init(body: Array(real.prefix(real.count / 3)), announcedLength: real.count))
        await assertDownloadFails(into: folder, mentioning: "127.0.0.1")
        XCTAssertEqual(try contents(folder), [])
    }

    func testTruncatedFileLeavesNoFile() async throws {
        let folder = try makeTemporaryFolder(self)
        let real = try realBytes("t10k-labels-idx1-ubyte")
        server.set("/mnist/t10k-labels-idx1-ubyte.gz", .init(body: Array(real.prefix(real.count / 2))))
        await assertDownloadFails(into: folder, mentioning: "truncated gzip")
        // The first file (served intact) stays; the truncated one is neither there nor half there.
        XCTAssertEqual(try contents(folder), ["t10k-images-idx3-ubyte.gz"])
    }

    func testWrongChecksumLeavesNoFile() async throws {
        let folder = try makeTemporaryFolder(self)
        // Valid gzip, wrong content: the labels file served under the images' name.
        server.set("/mnist/t10k-images-idx3-ubyte.gz", .init(body: try realBytes("t10k-labels-idx1-ubyte")))
        await assertDownloadFails(into: folder, mentioning: "checksum mismatch")
        XCTAssertEqual(try contents(folder), [])
    }

    private func assertDownloadFails(into folder: URL, mentioning phrase: String, line: UInt = #line) async {
        let downloader = MNISTDownloader(mirrors: [server.baseURL.appendingPathComponent("mnist/")], timeout: 30)
        do {
            try await downloader.download(into: folder)
            XCTFail("download should have failed", line: line)
        } catch let error as DataError {
            XCTAssertEqual(error.kind, .download, line: line)
            XCTAssertTrue(error.file.hasSuffix(".gz"), error.file, line: line)
            XCTAssertTrue(error.problem.contains(phrase), "\(error)", line: line)
        } catch {
            XCTFail("expected a DataError, got \(error)", line: line)
        }
    }
}
