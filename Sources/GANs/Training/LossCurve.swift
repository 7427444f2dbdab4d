// The loss-curve picture: an SVG line chart of every loss against batches done, written
// atomically so a viewer never sees half a file.
import Foundation

public enum LossCurve {
    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    public static func svg(series: [(name: String, points: [(Int, Float)])], title: String,
                           width: Int = 800, height: Int = 400) -> String {
        let left = 60.0, right = 150.0, top = 30.0, bottom = 40.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let all = series.flatMap { $0.points }
        let maxX = Double(all.map(\.0).max() ?? 1)
        let minX = Double(all.map(\.0).min() ?? 0)
        var minY = Double(all.map(\.1).min() ?? 0), maxY = Double(all.map(\.1).max() ?? 1)
        if maxY - minY < 1e-6 { maxY += 0.5; minY -= 0.5 }
        func px(_ x: Double) -> Double { left + (maxX > minX ? (x - minX) / (maxX - minX) : 0.5) * plotW }
        func py(_ y: Double) -> Double { top + (1 - (y - minY) / (maxY - minY)) * plotH }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="18" font-size="14">\(escape(title))</text>
        <rect x="\(left)" y="\(top)" width="\(plotW)" height="\(plotH)" fill="none" stroke="#888"/>

        """
        for i in 0...4 {
            let y = minY + (maxY - minY) * Double(i) / 4
            out += "<text x=\"\(left - 6)\" y=\"\(py(y) + 4)\" text-anchor=\"end\">\(String(format: "%.3g", y))</text>\n"
            let x = minX + (maxX - minX) * Double(i) / 4
            out += "<text x=\"\(px(x))\" y=\"\(Double(height) - bottom + 16)\" text-anchor=\"middle\">\(Int(x))</text>\n"
        }
        out += "<text x=\"\(left + plotW / 2)\" y=\"\(Double(height) - 6)\" text-anchor=\"middle\">batches done</text>\n"
        for (k, s) in series.enumerated() {
            let color = colors[k % colors.count]
            // At most ~2 points per pixel column: average within buckets.
            let bucket = Swift.max(1, s.points.count / Int(plotW * 2))
            var coords: [String] = []
            var i = 0
            while i < s.points.count {
                let chunk = s.points[i..<Swift.min(i + bucket, s.points.count)]
                let x = Double(chunk.map(\.0).reduce(0, +)) / Double(chunk.count)
                let y = Double(chunk.map(\.1).reduce(0, +)) / Double(chunk.count)
                coords.append(String(format: "%.1f,%.1f", px(x), py(y)))
                i += bucket
            }
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.2\" points=\"\(coords.joined(separator: " "))\"/>\n"
            let ly = top + 16 * Double(k + 1)
            out += "<line x1=\"\(left + plotW + 10)\" y1=\"\(ly - 4)\" x2=\"\(left + plotW + 30)\" y2=\"\(ly - 4)\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            out += "<text x=\"\(left + plotW + 35)\" y=\"\(ly)\">\(escape(s.name))</text>\n"
        }
        return out + "</svg>\n"
    }

    public static func write(series: [(name: String, points: [(Int, Float)])], title: String, to url: URL) throws {
        try Data(svg(series: series, title: title).utf8).write(to: url, options: .atomic)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
