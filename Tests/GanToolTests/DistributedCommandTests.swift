// `--distributed` in a gan built without the MPI trait (the default build): one sentence
// that says how to get it, and nothing written. Two ranks: Scripts/mpi_equivalence.py.
import Foundation
import XCTest

final class DistributedCommandTests: XCTestCase {
    func testDistributedWithoutTheMPITraitSaysHowToBuildIt() throws {
        #if MPI
        throw XCTSkip("this gan was built with the MPI trait")
        #else
        let out = try temporaryFolder(self).appendingPathComponent("run")
        for command in ["train", "bench"] {
            let result = try Gan.run([command, "gan", "--distributed", "--iterations", "1"] + (command == "train" ? ["--out", out.path] : []))
            XCTAssertEqual(result.status, 1)
            XCTAssertTrue(result.stderr.hasPrefix("Error: --distributed needs gan built with the MPI trait (swift build --traits MPI"), result.stderr)
            let sync = try Gan.run([command, "gan", "--sync-bn", "--iterations", "1"] + (command == "train" ? ["--out", out.path] : []))
            XCTAssertEqual(sync.status, 1)
            XCTAssertTrue(sync.stderr.hasPrefix("Error: --sync-bn needs --distributed"), sync.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
        #endif
    }
}
