// Process-wide runtime settings the tool exposes.
import Autograd
import Foundation

public enum GANRuntime {
    /// Threads the kernels use (`--threads`; default: all cores or SWIFTGAN_THREADS).
    public static var threads: Int { Threading.threadCount }
    public static func setThreads(_ n: Int) { Threading.setThreadCount(n) }

    /// Memory policy of the tool: freed large buffers go back to the system, and the
    /// tensor buffer pool keeps 256 MB of freed buffers for reuse (unless SWIFTGAN_POOL_MB
    /// says otherwise), more wherever live + cached bytes stay within the peak of live bytes
    /// plus a headroom, and never lets them pass that mark (headroom 32 MB or an eighth of the
    /// peak: a step's buffers of many sizes are then reused; without it began takes 4x the
    /// page faults, and pix2pix re-faulted 370 MB of huge pages every step).
    public static func configureMemory() {
        MemoryStats.returnLargeFreesToSystem()
        if ProcessInfo.processInfo.environment["SWIFTGAN_POOL_MB"] == nil {
            MemoryStats.setPoolLimit(bytes: 256 << 20)
        }
        MemoryStats.setPoolPeakPolicy(headroomShare: 8, cacheWithinFootprint: true)
    }

    /// From now on an allocation that cannot be served — the system refuses it, or it would
    /// take the tensors past the memory available now — ends the process with "Error:
    /// `message`" and status 1 instead of a crash.
    public static func exitWhenOutOfMemory(_ message: String) {
        let budget = MemoryStats.availableBytes().map { $0 + MemoryStats.liveTensorBytes } ?? 0
        MemoryStats.exitWhenOutOfMemory(budget: budget, message: message)
    }
}
