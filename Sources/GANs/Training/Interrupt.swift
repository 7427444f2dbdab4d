// Ctrl-C, SIGTERM and SIGHUP (a closed terminal or ssh session): the first one asks
// training to stop after the current iteration (it then writes a checkpoint); a second one
// exits at once. SIGPIPE is ignored: a closed stdout must not end a run (see Console).
import Dispatch
import Foundation

public final class InterruptMonitor: @unchecked Sendable {
    private let lock = NSLock()
    private var requested: Int32?
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    static let signals = [SIGINT, SIGTERM, SIGHUP]

    /// Starts listening for SIGINT, SIGTERM and SIGHUP, and ignores SIGPIPE from now on.
    public func start() {
        signal(SIGPIPE, SIG_IGN)
        for sig in Self.signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.lock()
                let second = self.requested != nil
                if !second { self.requested = sig }
                self.lock.unlock()
                if second {
                    Console.error("\nSecond interrupt: stopping now without a checkpoint.\n")
                    exit(128 + sig)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The signal received, if any.
    public var signalReceived: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return requested
    }

    public func stop() {
        for s in sources { s.cancel() }
        sources.removeAll()
        for sig in Self.signals { signal(sig, SIG_DFL) }
    }
}
