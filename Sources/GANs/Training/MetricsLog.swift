// metrics.jsonl: one JSON object per logged step, appended as training goes, and the
// loss series kept in memory for the loss-curve picture.
import Foundation

public final class MetricsLog {
    public let url: URL
    private var handle: FileHandle
    /// Every loss logged so far: name -> (batches_done, value).
    public private(set) var series: [(name: String, points: [(Int, Float)])] = []

    /// Opens `url` for appending. On resume, lines past `keepThrough` batches (written
    /// after the checkpoint by a run that was then killed) are dropped.
    public init(url: URL, resumeAfter keepThrough: Int?) throws {
        self.url = url
        var kept: [String] = []
        if let keepThrough, let text = try? String(contentsOf: url, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let done = obj["batches_done"] as? Int else { continue }
                if done <= keepThrough { kept.append(String(line)) }
            }
        }
        let content = kept.isEmpty ? "" : kept.joined(separator: "\n") + "\n"
        try Data(content.utf8).write(to: url, options: .atomic)
        guard let h = FileHandle(forWritingAtPath: url.path) else {
            throw CheckpointError("cannot open \(url.path) for writing")
        }
        handle = h
        handle.seekToEndOfFile()
        for line in kept { absorb(line) }
    }

    deinit { try? handle.close() }

    private func absorb(_ line: String) {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let done = obj["batches_done"] as? Int else { return }
        for (k, v) in obj where k.hasSuffix("loss") || k.hasPrefix("loss") {
            if let d = v as? Double { record(k, done, Float(d)) }
        }
    }

    private func record(_ name: String, _ step: Int, _ value: Float) {
        if let i = series.firstIndex(where: { $0.name == name }) {
            series[i].points.append((step, value))
        } else {
            series.append((name, [(step, value)]))
        }
    }

    /// Appends one step's record; `extra` holds additional numbers (evaluation scores).
    public func log(epoch: Int, batch: Int, batchesDone: Int, losses: Losses, seconds: Double,
                    extra: [(String, Double)] = []) {
        var fields = ["\"epoch\":\(epoch)", "\"batch\":\(batch)", "\"batches_done\":\(batchesDone)"]
        for (name, value) in losses {
            fields.append("\"\(name)\":\(value.isFinite ? "\(value)" : "null")")
            if value.isFinite { record(name, batchesDone, value) }
        }
        for (name, value) in extra { fields.append("\"\(name)\":\(value.isFinite ? "\(value)" : "null")") }
        fields.append("\"seconds\":\(String(format: "%.3f", seconds))")
        handle.write(Data(("{" + fields.joined(separator: ",") + "}\n").utf8))
    }
}
