// The numbers `gan eval` reports for one set of samples, as JSON or a short table.
import Foundation

public struct EvaluationReport: Sendable, Equatable {
    public let n: Int
    /// Fréchet distance to the MNIST test statistics in classifier-feature space.
    public let fd: Double
    /// Classifier score (the Inception-Score formula), 1...10.
    public let classifierScore: Double
    /// Samples predicted as each digit.
    public let histogram: [Int]
    /// Digits holding at least 2% of the samples.
    public let modeCoverage: Int
    public let precision: Double
    public let recall: Double
    /// Fraction classified as the label they were generated for (given labels).
    public let labelAccuracy: Double?
    /// The same under the best one-to-one matching of labels to digits (for codes learnt
    /// without labels, such as InfoGAN's).
    public var matchedLabelAccuracy: Double? = nil

    /// Name-value pairs in a stable order (metrics.jsonl, JSON).
    public var scalars: [(String, Double)] {
        var out: [(String, Double)] = [("fd", fd), ("is", classifierScore), ("mode_coverage", Double(modeCoverage)),
                                       ("precision", precision), ("recall", recall)]
        if let labelAccuracy { out.append(("label_acc", labelAccuracy)) }
        if let matchedLabelAccuracy { out.append(("label_acc_matched", matchedLabelAccuracy)) }
        return out
    }

    /// One JSON object: n, fd, is, mode_coverage, precision, recall, histogram and,
    /// given labels, label_acc.
    public var json: String {
        var obj: [String: Any] = ["n": n, "histogram": histogram, "mode_coverage": modeCoverage]
        for (k, v) in scalars where k != "mode_coverage" { obj[k] = v.isFinite ? v : NSNull() }
        let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// A short human-readable table.
    public var table: String {
        var rows: [(String, String, String)] = [
            ("samples", "\(n)", ""),
            ("Fréchet distance", String(format: "%.3f", fd), "lower is better; real digits ~10 at N = 1,000, ~2.4 at 10,000"),
            ("classifier score", String(format: "%.3f", classifierScore), "1-10, higher is better"),
            ("mode coverage", "\(modeCoverage)/\(histogram.count)", "digits with >= 2% of the samples"),
            ("precision", String(format: "%.3f", precision), "samples inside the real manifold"),
            ("recall", String(format: "%.3f", recall), "real digits inside the samples' manifold"),
        ]
        if let labelAccuracy {
            rows.append(("label accuracy", String(format: "%.3f", labelAccuracy), "classified as their conditioning label"))
        }
        if let matchedLabelAccuracy {
            rows.append(("matched label accuracy", String(format: "%.3f", matchedLabelAccuracy), "the same, labels best matched to digits"))
        }
        rows.append(("classes 0-9", histogram.map(String.init).joined(separator: " "), ""))
        let w0 = rows.map { $0.0.count }.max() ?? 0, w1 = rows.map { $0.1.count }.max() ?? 0
        return rows.map { r in
            let line = r.0.padding(toLength: w0, withPad: " ", startingAt: 0) + "  " + r.1.padding(toLength: w1, withPad: " ", startingAt: 0)
            return (r.2.isEmpty ? line : line + "  " + r.2).trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
