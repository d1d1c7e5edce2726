/// A row of block characters for a series, scaled to its own maximum.
public enum Sparkline {
    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The last values of `series` in `width` cells; when the series is
    /// longer than the width, each cell shows the largest of its bucket so
    /// short bursts stay visible. Missing history is drawn as blanks.
    public static func render(_ series: [Double], width: Int) -> String {
        guard width > 0 else { return "" }
        var buckets: [Double?] = []
        if series.count <= width {
            buckets = Array(repeating: nil, count: width - series.count) + series.map { Optional($0) }
        } else {
            let per = Double(series.count) / Double(width)
            for cell in 0..<width {
                let start = Int(Double(cell) * per)
                let end = max(start + 1, Int(Double(cell + 1) * per))
                buckets.append(series[start..<min(end, series.count)].max())
            }
        }
        let peak = buckets.compactMap { $0 }.max() ?? 0
        return String(buckets.map { value -> Character in
            guard let value else { return " " }
            guard peak > 0, value > 0 else { return levels[0] }
            let level = Int((value / peak * Double(levels.count - 1)).rounded(.up))
            return levels[min(levels.count - 1, max(1, level))]
        })
    }
}
