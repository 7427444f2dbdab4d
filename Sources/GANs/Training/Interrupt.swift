// Ctrl-C and SIGTERM: the first one asks training to stop after the current iteration
// (it then writes a checkpoint); a second one exits at once.
import Dispatch
import Foundation

public final class InterruptMonitor: @unchecked Sendable {
    private let lock = NSLock()
    private var requested: Int32?
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    /// Starts listening for SIGINT and SIGTERM.
    public func start() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.lock()
                let second = self.requested != nil
                if !second { self.requested = sig }
                self.lock.unlock()
                if second {
                    FileHandle.standardError.write(Data("\nSecond interrupt: stopping now without a checkpoint.\n".utf8))
                    exit(130)
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
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
