// Class labels given as text (`gan sample --labels`, `gan eval --labels`).

public enum LabelList {
    /// The integers of "0,1,2" or of a file's text, separated by commas, spaces or newlines.
    public static func parse(_ text: String) throws(ConfigError) -> [Int] {
        var labels: [Int] = []
        for part in text.split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
            guard let label = Int(part) else { throw ConfigError("--labels: '\(part)' is not an integer label") }
            labels.append(label)
        }
        return labels
    }
}
