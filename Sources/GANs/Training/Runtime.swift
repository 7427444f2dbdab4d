// Process-wide runtime settings the tool exposes.
import Autograd
import Foundation

public enum GANRuntime {
    /// Threads the kernels use (`--threads`; default: all cores or SWIFTGAN_THREADS).
    public static var threads: Int { Threading.threadCount }
    public static func setThreads(_ n: Int) { Threading.setThreadCount(n) }

    /// Memory policy of the tool: freed large buffers go back to the system, and the
    /// tensor buffer pool keeps at most 256 MB of freed buffers for reuse (unless
    /// SWIFTGAN_POOL_MB says otherwise), never letting live + cached bytes pass the peak
    /// of live bytes by more than its headroom (see `fitMemory`).
    public static func configureMemory() {
        MemoryStats.returnLargeFreesToSystem()
        if ProcessInfo.processInfo.environment["SWIFTGAN_POOL_MB"] == nil {
            MemoryStats.setPoolLimit(bytes: 256 << 20)
        }
    }

    /// The pool's headroom for one model: 32 MB lets a step's buffers of many sizes be
    /// reused (without it began takes 4x the page faults), but when the model's own
    /// state (weights, gradients, two optimiser moments) passes 150 MB, as clustergan's 13.5M
    /// parameters do, 2 MB keeps the process well under 300 MB (291 MiB peak; 8 MB gave 294
    /// and no faster steps).
    public static func fitMemory(to model: any GANModel) {
        let parameters = model.networks.reduce(0) { $0 + $1.module.parameters().reduce(0) { $0 + $1.count } }
        MemoryStats.setPoolHeadroom(bytes: parameters * 16 > 150 << 20 ? 2 << 20 : 32 << 20)
    }
}
