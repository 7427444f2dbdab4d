// Threading controls and a parallel-for over the C thread pool (Sources/CKernels/parallel.c).
// The pool lives in C so the GEMM and convolution drivers can split work without calling
// back into Swift; Swift code that wants to split a loop uses `Parallel.forEach`.
import CKernels

/// How many threads the kernels use.
public enum Threading {
    /// Current thread count: the number of online cores unless `SWIFTGAN_THREADS` or
    /// `setThreadCount(_:)` says otherwise.
    public static var threadCount: Int { Int(ck_get_threads()) }

    /// Sets the thread count for all later kernel calls (clamped to 1...64). Results are
    /// deterministic for a given count (GEMM and convolutions: for every count).
    public static func setThreadCount(_ n: Int) {
        ck_set_threads(Int32(Swift.max(1, Swift.min(n, 64))))
    }
}

enum Parallel {
    /// Runs `body(i)` for i in 0..<n on the pool (serially when nested or when the pool is
    /// busy). Only split work whose parts each take >= ~100 us; smaller parts cost more
    /// to hand over than they save.
    static func forEach(_ n: Int, _ body: (Int) -> Void) {
        guard n > 1, ck_parallel_width() > 1 else {
            for i in 0..<Swift.max(n, 0) { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var closure = body
            withUnsafeMutablePointer(to: &closure) { ctx in
                ck_parallel_for(n, { raw, i in
                    raw!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(i)
                }, ctx)
            }
        }
    }
}
