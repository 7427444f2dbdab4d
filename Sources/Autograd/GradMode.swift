// Whether operations are recorded for autograd. Per thread, so a data-loading thread
// never affects the training thread.
import Foundation

public enum GradMode {
    private final class Flag { var enabled = true }
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { p in if let p { Unmanaged<AnyObject>.fromOpaque(p).release() } }
        return k
    }()

    private static var flag: Flag {
        if let p = pthread_getspecific(key) {
            return Unmanaged<Flag>.fromOpaque(p).takeUnretainedValue()
        }
        let f = Flag()
        pthread_setspecific(key, Unmanaged.passRetained(f).toOpaque())
        return f
    }

    /// True when new operations on tensors that require gradients are recorded.
    public static var isEnabled: Bool {
        get { flag.enabled }
        set { flag.enabled = newValue }
    }

    /// Runs `body` with recording switched on or off, restoring the previous mode after.
    public static func with<T, E: Error>(enabled: Bool, _ body: () throws(E) -> T) throws(E) -> T {
        let f = flag
        let previous = f.enabled
        f.enabled = enabled
        defer { f.enabled = previous }
        return try body()
    }
}

/// Runs `body` without recording any operation (sampling, optimiser updates).
public func withoutGrad<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
    try GradMode.with(enabled: false, body)
}
