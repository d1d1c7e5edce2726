import Foundation

/// A screen that records a grid of characters and the style of each cell,
/// and plays back queued input. For tests: no terminal needed.
public final class FakeScreen: Screen {
    public var size: TerminalSize
    public var colors: Int
    /// One string per cell; the cell after a wide character holds "".
    public private(set) var cells: [[String]]
    public private(set) var styles: [[TextStyle]]
    public private(set) var flushes = 0
    public private(set) var controlSequences: [String] = []
    public var pendingEvents: [InputEvent] = []

    public init(columns: Int = 100, rows: Int = 30, colors: Int = 256) {
        size = TerminalSize(columns: columns, rows: rows)
        self.colors = colors
        cells = []
        styles = []
        clear()
    }

    public func resize(columns: Int, rows: Int) {
        size = TerminalSize(columns: columns, rows: rows)
        clear()
        pendingEvents.append(.resize(size))
    }

    public func clear() {
        cells = Array(repeating: Array(repeating: " ", count: size.columns), count: size.rows)
        styles = Array(repeating: Array(repeating: .plain, count: size.columns), count: size.rows)
    }

    public func put(_ text: String, x: Int, y: Int, style: TextStyle) {
        guard y >= 0, y < size.rows else { return }
        var column = x
        for character in text {
            let width = TextWidth.of(character)
            if width == 0 { continue }
            if column + width > size.columns { break }
            if column >= 0 {
                cells[y][column] = String(character)
                styles[y][column] = style
                if width == 2 {
                    cells[y][column + 1] = ""
                    styles[y][column + 1] = style
                }
            }
            column += width
        }
    }

    public func flush() { flushes += 1 }

    public func nextEvent(timeoutMilliseconds: Int) -> InputEvent? {
        pendingEvents.isEmpty ? nil : pendingEvents.removeFirst()
    }

    public func writeControlSequence(_ sequence: String) { controlSequences.append(sequence) }

    /// How many times `suspend()` was called (a fake has no process to stop).
    public private(set) var suspensions = 0

    public func suspend() {
        suspensions += 1
        clear()
    }

    /// How many times another program was given the terminal.
    public private(set) var releases = 0

    public func releaseTerminal(while body: () -> Void) {
        releases += 1
        body()
        clear()
    }

    /// Row `y` as text, trailing spaces kept.
    public func line(_ y: Int) -> String { cells[y].joined() }

    /// The whole screen, one line per row, trailing spaces trimmed.
    public var text: String {
        (0..<size.rows).map { row in
            var line = Substring(self.line(row))
            while line.last == " " { line = line.dropLast() }
            return String(line)
        }.joined(separator: "\n")
    }

    /// Where `needle` first appears: (column, row) in cells.
    public func find(_ needle: String) -> (x: Int, y: Int)? {
        for y in 0..<size.rows {
            let row = cells[y]
            let joined = row.joined()
            guard let range = joined.range(of: needle) else { continue }
            // Convert the character offset back to a cell index.
            let prefix = joined[joined.startIndex..<range.lowerBound]
            var cell = 0
            var consumed = 0
            let target = prefix.count
            while consumed < target, cell < row.count {
                if !row[cell].isEmpty { consumed += 1 }
                cell += 1
            }
            return (cell, y)
        }
        return nil
    }

    public func style(x: Int, y: Int) -> TextStyle { styles[y][x] }
}
