// Contiguous float32 storage shared by a tensor and its reshaped views.
import CKernels
import Foundation

final class TensorStorage: @unchecked Sendable {
    let count: Int
    let pointer: UnsafeMutablePointer<Float>
    /// Floats actually reserved (the pool's size class), needed to give the buffer back.
    private let capacity: Int

    /// Uninitialised storage for `count` floats (kernels overwrite every element). The
    /// buffer comes from the size-class pool (Sources/CKernels/pool.c), so a training step
    /// that builds the same tensors every iteration does not call malloc per op. A
    /// `longLived` buffer is never a cached one of a larger size class (which the pool
    /// otherwise hands out, up to twice the size): state kept for the whole run would hold
    /// the difference for good.
    init(uninitializedCount count: Int, longLived: Bool = false) {
        precondition(count >= 0, "storage size must not be negative")
        self.count = count
        var cap = 0
        pointer = longLived ? ck_pool_alloc_exact(Swift.max(count, 1), &cap) : ck_pool_alloc(Swift.max(count, 1), &cap)
        capacity = cap
    }

    convenience init(repeating value: Float, count: Int, longLived: Bool = false) {
        self.init(uninitializedCount: count, longLived: longLived)
        pointer.initialize(repeating: value, count: count)
    }

    deinit { ck_pool_free(pointer, capacity) }

    var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}

/// Memory use of the process and of the tensor buffer pool.
public enum MemoryStats {
    /// Peak resident set size of the process so far (VmHWM), in bytes.
    public static func peakResidentBytes() -> Int { Int(ck_peak_resident_bytes()) }

    /// Bytes held by live tensors (rounded up to the pool's size classes).
    public static var liveTensorBytes: Int { Int(ck_pool_get_stats().live_bytes) }
    /// The most `liveTensorBytes` has been (since the start or `resetPeakTensorBytes()`).
    public static var peakTensorBytes: Int { Int(ck_pool_get_stats().peak_live_bytes) }
    /// Starts `peakTensorBytes` over from the bytes live now (to measure one phase).
    public static func resetPeakTensorBytes() { ck_pool_reset_peak() }
    /// Bytes of freed buffers the pool keeps for reuse.
    public static var cachedBytes: Int { Int(ck_pool_get_stats().cached_bytes) }
    /// Allocations served from the pool and from the system.
    public static var poolHits: Int { Int(ck_pool_get_stats().hits) }
    public static var poolMisses: Int { Int(ck_pool_get_stats().misses) }
    /// Misses served by re-sizing a buffer the pool had to give up (its pages stay resident).
    public static var poolResizes: Int { Int(ck_pool_get_stats().resized) }

    /// Bounds the bytes the pool keeps cached (default 1 GiB or `SWIFTGAN_POOL_MB`).
    public static func setPoolLimit(bytes: Int) { ck_pool_set_limit(Swift.max(bytes, 0)) }
    /// How far the pool's footprint (live + cached bytes) may pass the live peak: the
    /// headroom that lets a step reuse buffers of other sizes (default 32 MiB).
    public static func setPoolHeadroom(bytes: Int) { ck_pool_set_slack(Swift.max(bytes, 0)) }
    /// Lets the headroom grow to 1/`headroomShare` of the live peak where that is more (0: the
    /// fixed headroom only, the default), and with `cacheWithinFootprint` keeps a freed buffer
    /// cached past the limit wherever live + cached bytes stay within the live peak plus the
    /// headroom: a model whose step frees hundreds of megabytes in large buffers then reuses
    /// them at the next step instead of faulting fresh memory in.
    public static func setPoolPeakPolicy(headroomShare: Int, cacheWithinFootprint: Bool) {
        ck_pool_set_peak_policy(Swift.max(headroomShare, 0), cacheWithinFootprint ? 1 : 0)
    }
    /// Gives every cached buffer back to the system.
    public static func trimPool() { ck_pool_trim() }

    /// Allocations the system refuses, or that would take the live tensor bytes past
    /// `budget` (0: none), print "Error: `message` ..." and exit with status 1 instead of
    /// aborting (the tool's way of saying a size does not fit in memory).
    public static func exitWhenOutOfMemory(budget: Int, message: String) {
        ck_pool_set_out_of_memory(Swift.max(budget, 0), message)
    }

    /// Bytes of memory the system can still give (MemAvailable), or nil where it does not say.
    public static func availableBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let parts = line.split(separator: " ")
            if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
        }
        return nil
    }

    /// Makes freed large allocations go back to the system (a long-running process's
    /// resident memory then follows what it uses, not its high-water mark).
    public static func returnLargeFreesToSystem(threshold bytes: Int = 512 * 1024) {
        ck_release_large_frees(Swift.max(bytes, 4096))
    }
}
