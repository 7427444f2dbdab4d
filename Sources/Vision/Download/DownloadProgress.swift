// Progress of a download: a redrawn bar on a terminal, plain lines (every 10%, or every
// 10 MB when the size is unknown) when the output goes to a file or a pipe.
import Foundation

/// Reports the bytes received of one file.
public final class DownloadProgress: @unchecked Sendable {
    public enum Style: Sendable { case bar, lines, silent }

    private let style: Style
    private let write: @Sendable (String) -> Void
    private let lock = NSLock()
    private var label = ""
    private var total: Int64?
    private var lastReported: Int64 = -1
    private var lastDraw = Date.distantPast

    /// `write` receives each piece of output (bar redraws start with "\r").
    public init(style: Style, write: @escaping @Sendable (String) -> Void) {
        self.style = style
        self.write = write
    }

    /// A bar on a terminal standard error, lines otherwise.
    public static func standardError() -> DownloadProgress {
        DownloadProgress(style: isatty(STDERR_FILENO) == 1 ? .bar : .lines) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// A new transfer of `label` that starts at `offset` (non-zero when resuming).
    func start(_ label: String, offset: Int64, total: Int64?) {
        lock.lock(); defer { lock.unlock() }
        self.label = label
        self.total = total
        lastReported = step(offset)
        lastDraw = .distantPast
        guard style != .silent else { return }
        let size = total.map { " of \(Self.megabytes($0))" } ?? ""
        write(offset > 0 ? "\(label): resuming at \(Self.megabytes(offset))\(size)\n" : "\(label): downloading\(size)\n")
    }

    func update(_ received: Int64) {
        lock.lock(); defer { lock.unlock() }
        switch style {
        case .silent: return
        case .bar:
            guard Date().timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = Date()
            write("\r" + barLine(received))
        case .lines:
            let step = self.step(received)
            guard step > lastReported else { return }
            lastReported = step
            write(line(received) + "\n")
        }
    }

    func finish(_ received: Int64) {
        lock.lock(); defer { lock.unlock() }
        switch style {
        case .silent: return
        case .bar: write("\r" + barLine(received) + "\n")
        case .lines:
            // The last line is "100%" unless update() has already printed it.
            if step(received) > lastReported || total == nil { write(line(received) + "\n") }
        }
    }

    /// Tenths of the total received, or tens of megabytes when the total is unknown.
    private func step(_ received: Int64) -> Int64 {
        guard let total, total > 0 else { return received / 10_000_000 }
        return received * 10 / total
    }

    private func line(_ received: Int64) -> String {
        guard let total, total > 0 else { return "\(label): \(Self.megabytes(received))" }
        return "\(label): \(received * 100 / total)% (\(Self.megabytes(received)) of \(Self.megabytes(total)))"
    }

    private func barLine(_ received: Int64) -> String {
        guard let total, total > 0 else { return "\(label) \(Self.megabytes(received))" }
        let width = 30, filled = Int(min(received, total) * Int64(width) / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        return "\(label) [\(bar)] \(received * 100 / total)% \(Self.megabytes(received)) / \(Self.megabytes(total))"
    }

    static func megabytes(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
}
