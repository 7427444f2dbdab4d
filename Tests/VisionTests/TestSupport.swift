// Shared helpers for the Vision tests: fixture and shared-data paths, temporary folders,
// and small generated images.
import Foundation
import XCTest
@testable import Vision

enum TestPaths {
    /// Tests/VisionTests
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repositoryRoot = testsFolder.deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = testsFolder.appendingPathComponent("Fixtures")
    /// `../shared/data` beside the repository (present on developer machines and CI).
    static let sharedData = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

    static func fixture(_ name: String) -> URL { fixtures.appendingPathComponent(name) }

    /// A folder of the shared data, or a skip when it is absent.
    static func shared(_ relative: String) throws -> URL {
        let url = sharedData.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("shared data \(url.path) not present")
        }
        return url
    }
}

/// A fresh empty folder, removed when the test case ends.
func makeTemporaryFolder(_ test: XCTestCase, _ name: String = #function) throws -> URL {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vision-\(safe)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// A deterministic test image with a gradient and a coloured block.
func patternImage(width: Int, height: Int, channels: Int = 3, seed: Int = 0) -> Image {
    var pixels = [UInt8](repeating: 0, count: width * height * channels)
    for y in 0..<height {
        for x in 0..<width {
            for c in 0..<channels {
                pixels[(y * width + x) * channels + c] = UInt8((x * 7 + y * 13 + c * 50 + seed * 31) % 256)
            }
        }
    }
    return Image(width: width, height: height, channels: channels, pixels: pixels)
}

/// Writes `image` as PNG into `folder` and returns its URL.
@discardableResult
func writePNG(_ image: Image, _ folder: URL, _ name: String) throws -> URL {
    let url = folder.appendingPathComponent(name)
    try image.writePNG(to: url)
    return url
}

/// Writes raw bytes (e.g. corrupted file contents) to `folder/name`.
@discardableResult
func writeBytes(_ bytes: [UInt8], _ folder: URL, _ name: String) throws -> URL {
    let url = folder.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url
}

/// Asserts that `body` throws a DataError of `kind` whose file ends with `fileSuffix` and
/// whose problem mentions `phrase`.
func assertDataError<T>(_ kind: DataError.Kind, file fileSuffix: String, mentions phrase: String,
                        _ body: () throws -> T, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a DataError (\(kind)) mentioning '\(phrase)'", line: line)
    } catch let error as DataError {
        XCTAssertEqual(error.kind, kind, "\(error)", line: line)
        XCTAssertTrue(error.file.hasSuffix(fileSuffix), "file '\(error.file)' should end with '\(fileSuffix)'", line: line)
        XCTAssertTrue(error.problem.localizedCaseInsensitiveContains(phrase), "'\(error.problem)' should mention '\(phrase)'", line: line)
    } catch {
        XCTFail("expected a DataError, got \(error)", line: line)
    }
}

/// The largest absolute difference between two byte arrays of equal length.
func maxDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
    precondition(a.count == b.count, "maxDifference: \(a.count) vs \(b.count) bytes")
    var m = 0
    for i in 0..<a.count { m = max(m, abs(Int(a[i]) - Int(b[i]))) }
    return m
}
