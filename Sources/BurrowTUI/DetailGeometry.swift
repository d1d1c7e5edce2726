import TerminalUI

/// Where the detail pane's two lists go, for the drawing and for mouse
/// clicks alike (a click on a request row selects it).
struct DetailGeometry: Equatable {
    /// The row of the lists' titles ("LATEST VISITORS").
    var titleY: Int
    /// The row of the lists' first entries, and how many rows they have (may be ≤ 0).
    var firstRowY: Int
    var rows: Int
    var addressWidth: Int
    var visitorsWidth: Int
    /// Where the requests list starts (HTTP mappings).
    var requestsX: Int

    static let whenWidth = 8, durationWidth = 6, bytesWidth = 7

    init(rect: Rect, model: DetailModel) {
        let inner = rect.inner
        let left = inner.x + 1
        let width = inner.width - 2
        let bytesY = inner.y + 1
        // A blank line before the lists when 3 rows still fit below it.
        titleY = bytesY + (inner.maxY - bytesY >= 6 ? 2 : 1)
        firstRowY = titleY + 1
        rows = inner.maxY - firstRowY
        // Visitors take what their columns need; requests the rest.
        addressWidth = min(21, max(7, model.visitors.map { TextWidth.of($0.address) }.max() ?? 7))
        visitorsWidth = model.requests != nil
            ? min(addressWidth + Self.whenWidth + Self.durationWidth + Self.bytesWidth + 3, width / 2 + 2) : width
        requestsX = left + visitorsWidth + 2
    }

    /// The first list entry shown: the selection's page while the pane is
    /// focused on requests, else the pane's scroll.
    static func skip(_ state: AppState, model: DetailModel, rows: Int) -> Int {
        if state.focus == .detail, model.requests?.isEmpty == false { return max(0, state.requestIndex - rows + 1) }
        return min(state.detailScroll, max(0, max(model.visitors.count, model.requests?.count ?? 0) - 1))
    }
}
