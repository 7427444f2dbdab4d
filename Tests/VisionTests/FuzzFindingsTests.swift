// What fuzzing the readers found (Scripts/fuzz.sh): each reproducer, now one clear error.
import Foundation
import Vision
import XCTest

final class FuzzFindingsTests: XCTestCase {
    /// fuzz-idx: dimensions whose product overflows trapped (255 x 2^32-1 x 2^32-1).
    func testIDXDimensionsWhoseProductOverflowsAreAnError() {
        let bytes: [UInt8] = [0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0x00, 0xFF] + [UInt8](repeating: 0xFF, count: 37) + [0x03, 0x07, 0x02, 0x01]
        XCTAssertThrowsError(try IDXArray(decoding: bytes, file: "x.idx")) { error in
            XCTAssertEqual(error as? DataError, DataError(.corrupt, file: "x.idx", "IDX header's dimensions 255x4294967295x4294967295 are too large to be the file's contents"))
        }
    }

    /// fuzz-imagefolder: 263 bytes of JPEG claiming 378 million pixels, whose scan data ends at
    /// a marker, decoded (padded with grey) to a 1.1 GB image; now an error, like a cut file.
    func testAJPEGWhoseDataEndsEarlyIsAnErrorNotAGigabyteOfGrey() throws {
        let bytes = [UInt8](try XCTUnwrap(Data(base64Encoded: "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsMEgsZEw8UHRofHh3/MSAiLCMcNB8nOT04GDIhHCEyMjQ0NDQBAAAyGh8eODI8LjM0sv/bAEMBCQkJDAsMGA0NGDIFIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMv/Y/z0yMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCJAAKBADASIAAhEBAxEB/8QAHwAAAQUBAQEAAQEAAQAAAAAAAAECAwAAAAAAAAAAAAAAAAAAAAAAAAD3+Pn6/9oADAMBAAIRAxEAPwCPxm5tfEUPAAAAAAAAAHP/2Ss=")))
        XCTAssertEqual(bytes.count, 263)
        XCTAssertThrowsError(try Image(decoding: bytes, file: "x.jpg")) { error in
            XCTAssertEqual((error as? DataError)?.problem, "bad JPEG: truncated JPEG data (it ends before the image is complete)", "\(error)")
        }
    }

    /// Foundation's Data(contentsOf:) and String(contentsOf:) leak 4 KB per empty file
    /// (found by fuzz-runfiles on an empty metrics.jsonl); FileIO.read, which the run files
    /// are read with, does not.
    func testReadingAnEmptyFileDoesNotLeak() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(getpid())")
        try Data().write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        func residentKB() throws -> Int {
            let status = try String(decoding: FileIO.read(URL(fileURLWithPath: "/proc/self/status")), as: UTF8.self)
            let line = try XCTUnwrap(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
            return try XCTUnwrap(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
        }
        for _ in 0..<100 { XCTAssertEqual(try FileIO.read(file), []) }
        let before = try residentKB()
        for _ in 0..<10_000 { _ = try FileIO.read(file) }
        // 10,000 leaks of 4 KB would be 40 MB.
        XCTAssertLessThan(try residentKB() - before, 8_000)
    }
}
