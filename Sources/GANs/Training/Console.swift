// The run's messages. Output is never a reason to stop training: a closed pipe (`| head`)
// or a terminal that went away (ssh dropped) only stops the printing.
import Foundation

public enum Console {
    /// Set once stdout failed (EPIPE, EIO): nothing more is printed there.
    nonisolated(unsafe) public private(set) static var stdoutClosed = false

    /// A line (or part of one) on stdout, flushed at once.
    public static func out(_ text: String) {
        guard !stdoutClosed else { return }
        print(text, terminator: "")
        // Flushing every stream flushes stdout (the only one written through stdio here).
        if fflush(nil) != 0 { stdoutClosed = true }
    }

    /// Text on stderr; a failed write is dropped.
    public static func error(_ text: String) {
        text.withCString { p in
            var done = 0
            let total = strlen(p)
            while done < total {
                let n = write(STDERR_FILENO, p + done, total - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                done += n
            }
        }
    }
}
