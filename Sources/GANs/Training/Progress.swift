// The progress display: a live line on a terminal, plain lines otherwise.
import Foundation

public final class ProgressReporter {
    let isTerminal: Bool
    let logInterval: Int
    let totalBatches: Int
    let batchesPerEpoch: Int
    let nEpochs: Int
    private var lastDraw = Date.distantPast
    private var windowStart = Date()
    private var windowStartBatch: Int
    private var rate: Double = 0

    public init(totalBatches: Int, batchesPerEpoch: Int, nEpochs: Int, logInterval: Int, startBatch: Int,
                isTerminal: Bool = isatty(STDERR_FILENO) != 0) {
        self.totalBatches = totalBatches
        self.batchesPerEpoch = batchesPerEpoch
        self.nEpochs = nEpochs
        self.logInterval = Swift.max(1, logInterval)
        self.isTerminal = isTerminal
        windowStartBatch = startBatch
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--" }
        let s = Int(seconds)
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }

    /// Called after each iteration.
    public func update(epoch: Int, batch: Int, batchesDone: Int, losses: Losses) {
        let now = Date()
        let elapsed = now.timeIntervalSince(windowStart)
        if elapsed >= 2 {
            rate = Double(batchesDone - windowStartBatch) / elapsed
            windowStart = now
            windowStartBatch = batchesDone
        } else if rate == 0, elapsed > 0.2 {
            rate = Double(batchesDone - windowStartBatch) / elapsed
        }
        let lossText = losses.map { "\($0.name) \(String(format: "%.4f", $0.value))" }.joined(separator: "  ")
        let eta = rate > 0 ? Self.duration(Double(totalBatches - batchesDone) / rate) : "--"
        let line = "[Epoch \(epoch)/\(nEpochs)] [Batch \(batch + 1)/\(batchesPerEpoch)] [\(batchesDone)/\(totalBatches)] "
            + String(format: "%.1f it/s", rate) + "  ETA \(eta)  \(lossText)"
        if isTerminal {
            guard now.timeIntervalSince(lastDraw) >= 0.1 || batchesDone == totalBatches else { return }
            lastDraw = now
            Console.error("\r\u{1B}[2K\(line)")
        } else if batchesDone % logInterval == 0 || batchesDone == totalBatches {
            Console.out(line + "\n")
        }
    }

    /// Ends the live line before other output.
    public func finishLine() {
        if isTerminal { Console.error("\n") }
    }

    public func message(_ text: String) {
        if isTerminal { Console.error("\r\u{1B}[2K") }
        Console.out(text + "\n")
    }
}
