// Runs the built `gan` executable, which sits beside the test bundle in the build folder.
import Foundation
import XCTest

struct GanResult {
    let status: Int32
    let stdout: String
    let stderr: String

    /// stdout parsed as one JSON object.
    func json(file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let obj = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]
        return try XCTUnwrap(obj, "stdout is not one JSON object: \(stdout)\nstderr: \(stderr)", file: file, line: line)
    }
}

enum Gan {
    static var executable: URL {
        // The products folder (.build/<triple>/debug) holds both the test bundle and `gan`;
        // on Linux Bundle(for:) gives that folder, on macOS the .xctest inside it.
        let bundle = Bundle(for: Marker.self).bundleURL
        let folder = bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
        return folder.appendingPathComponent("gan")
    }

    final class Marker {}

    static func run(_ arguments: [String]) throws -> GanResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a full pipe cannot block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return GanResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                         stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// A fresh empty folder, removed when the test ends.
func temporaryFolder(_ test: XCTestCase, _ name: String = #function) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("gantool-\(name.filter { $0.isLetter })-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}
