// metrics.jsonl: one JSON object per logged step, appended as training goes, and the
// loss series kept in memory for the loss-curve picture. A failed append (a full disk) is
// cut back off, so the file never ends in half a line.
import Foundation
import Vision

public final class MetricsLog {
    public let url: URL
    private let descriptor: Int32
    /// Bytes of whole lines in the file.
    private var length: off_t
    /// Every loss logged so far: name -> (batches_done, value).
    public private(set) var series: [(name: String, points: [(Int, Float)])] = []

    /// Opens `url` for appending. On resume, lines past `keepThrough` batches (written
    /// after the checkpoint by a run that was then killed) are dropped.
    public init(url: URL, resumeAfter keepThrough: Int?) throws {
        self.url = url
        var kept: [String] = []
        if let keepThrough, let bytes = try? FileIO.read(url) {
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let done = obj["batches_done"] as? Int else { continue }
                if done <= keepThrough { kept.append(String(line)) }
            }
        }
        let content = kept.isEmpty ? "" : kept.joined(separator: "\n") + "\n"
        try DurableFile.write(Data(content.utf8), to: url)
        descriptor = open(url.path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else { throw RunFolderError("cannot open \(url.path) for writing: \(String(cString: strerror(errno)))") }
        length = off_t(content.utf8.count)
        for line in kept { absorb(line) }
    }

    deinit { close(descriptor) }

    /// Makes every line appended so far durable (before a checkpoint that counts on them).
    public func sync() throws {
        guard fsync(descriptor) == 0 else {
            throw RunFolderError("cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }

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
                    extra: [(String, Double)] = []) throws {
        var fields = ["\"epoch\":\(epoch)", "\"batch\":\(batch)", "\"batches_done\":\(batchesDone)"]
        for (name, value) in losses { fields.append("\"\(name)\":\(value.isFinite ? "\(value)" : "null")") }
        for (name, value) in extra { fields.append("\"\(name)\":\(value.isFinite ? "\(value)" : "null")") }
        fields.append("\"seconds\":\(String(format: "%.3f", seconds))")
        try append(Array(("{" + fields.joined(separator: ",") + "}\n").utf8))
        for (name, value) in losses where value.isFinite { record(name, batchesDone, value) }
    }

    private func append(_ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = String(cString: strerror(n < 0 ? errno : ENOSPC))
                _ = ftruncate(descriptor, length)
                throw RunFolderError("cannot write \(url.path): \(reason)")
            }
            done += n
        }
        length += off_t(bytes.count)
    }
}
