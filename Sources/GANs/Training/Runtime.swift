// Process-wide runtime settings the tool exposes.
import Autograd
import Foundation

public enum GANRuntime {
    /// Threads the kernels use (`--threads`; default: all cores or SWIFTGAN_THREADS).
    public static var threads: Int { Threading.threadCount }
    public static func setThreads(_ n: Int) { Threading.setThreadCount(n) }

    /// Memory policy of the tool: freed large buffers go back to the system, and the
    /// tensor buffer pool keeps at most 64 MB of freed buffers for reuse (unless
    /// SWIFTGAN_POOL_MB says otherwise): enough to recycle a step's recurring buffers.
    public static func configureMemory() {
        MemoryStats.returnLargeFreesToSystem()
        if ProcessInfo.processInfo.environment["SWIFTGAN_POOL_MB"] == nil {
            MemoryStats.setPoolLimit(bytes: 64 << 20)
        }
    }
}
