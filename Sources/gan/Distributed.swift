// `--distributed`: the command runs on every rank of `mpirun -np K` (the MPI trait); a rank
// that fails says why and stops every rank, so none waits forever for it, and only rank 0
// ever wrote checkpoints, each complete before it became the latest.
import ArgumentParser
import Foundation
import GANs
#if MPI
import MPICollective
#endif

enum Distributed {
    /// Runs `body` with this process's rank of the `mpirun` job; by default each rank gets
    /// an equal share of the machine's cores.
    static func run(syncBatchNorm: Bool, threads: Int?, _ body: (DataParallel) throws -> Void) throws {
        #if MPI
        let communicator = MPICommunicator()
        let parallel = DataParallel(group: communicator, synchronisedBatchNorm: syncBatchNorm)
        GANRuntime.setThreads(threads ?? Swift.max(1, ProcessInfo.processInfo.activeProcessorCount / communicator.localSize))
        do {
            try body(parallel)
        } catch let exit as ExitCode {
            communicator.finish()
            throw exit
        } catch {
            FileHandle.standardError.write(Data("Error (rank \(communicator.rank) of \(communicator.size)): \(error); stopping every rank.\n".utf8))
            communicator.abort(1)
        }
        communicator.finish()
        #else
        throw ToolError("--distributed needs gan built with the MPI trait (swift build --traits MPI, with Open MPI's libopenmpi-dev installed); see docs/DISTRIBUTED.md")
        #endif
    }
}
