import TerminalUI

/// The frame being built: a grid of cells that layout writes into and that
/// is then drawn onto a `Screen` in one go. Comparing two canvases tells
/// whether anything needs drawing at all.
public struct Canvas: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` at (x, y), clipped to `maxWidth` cells (with "…" when
    /// cut) and to the canvas. Returns the column after the text.
    @discardableResult
    public mutating func text(_ text: String, x: Int, y: Int, maxWidth: Int? = nil, role: ThemeRole = .text,
                              background: ThemeRole? = nil, bold: Bool = false, dim: Bool = false) -> Int {
        guard y >= 0, y < height else { return x }
        let limit = min(maxWidth ?? (width - x), width - x)
        guard limit > 0 else { return x }
        let shown = TextWidth.truncate(text, to: limit)
        var column = x
        for character in shown {
            let w = TextWidth.of(character)
            if w == 0 { continue }
            if column + w > x + limit { break }
            if column >= 0 {
                let bg = background ?? self[column, y].background
                self[column, y] = Cell(text: String(character), role: role, background: bg, bold: bold, dim: dim)
                if w == 2 { self[column + 1, y] = Cell(text: "", role: role, background: bg, bold: bold, dim: dim) }
            }
            column += w
        }
        return column
    }

    /// Paints a rectangle's background (and blanks it).
    public mutating func fill(_ rect: Rect, background: ThemeRole, role: ThemeRole = .text) {
        for y in max(0, rect.y)..<min(height, rect.maxY) {
            for x in max(0, rect.x)..<min(width, rect.maxX) {
                self[x, y] = Cell(text: " ", role: role, background: background)
            }
        }
    }

    /// Sets the background of existing cells (keeps their text), e.g. a selected row.
    public mutating func highlight(_ rect: Rect, background: ThemeRole, role: ThemeRole? = nil) {
        for y in max(0, rect.y)..<min(height, rect.maxY) {
            for x in max(0, rect.x)..<min(width, rect.maxX) {
                self[x, y].background = background
                if let role { self[x, y].role = role }
            }
        }
    }

    /// A box with rounded corners and an optional title in the top border.
    public mutating func box(_ rect: Rect, title: String? = nil, focused: Bool = false) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let role: ThemeRole = focused ? .focus : .border
        let horizontal = String(repeating: "─", count: rect.width - 2)
        text("╭" + horizontal + "╮", x: rect.x, y: rect.y, role: role)
        for y in rect.y + 1..<rect.maxY - 1 {
            text("│", x: rect.x, y: y, role: role)
            text("│", x: rect.maxX - 1, y: y, role: role)
        }
        text("╰" + horizontal + "╯", x: rect.x, y: rect.maxY - 1, role: role)
        if let title {
            text(" \(title) ", x: rect.x + 2, y: rect.y, maxWidth: rect.width - 4, role: focused ? .focus : .title, bold: true)
        }
    }

    /// Whether row `y` is the same in both canvases (same width assumed).
    public func rowEquals(_ other: Canvas, _ y: Int) -> Bool {
        let start = y * width
        return cells[start..<start + width] == other.cells[start..<start + width]
    }

    /// Row `y` as plain text.
    public func line(_ y: Int) -> String {
        (0..<width).map { self[$0, y].text }.joined()
    }
}
