// Process-wide runtime settings the tool exposes.
import Autograd

public enum GANRuntime {
    /// Threads the kernels use (`--threads`; default: all cores or SWIFTGAN_THREADS).
    public static var threads: Int { Threading.threadCount }
    public static func setThreads(_ n: Int) { Threading.setThreadCount(n) }
}
