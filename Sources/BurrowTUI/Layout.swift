import TerminalUI

/// Where each pane goes for a terminal size. Pure, so clicks can be mapped
/// back to rows with the same numbers the drawing used.
public struct Layout: Sendable, Equatable {
    public var header: Rect
    public var tunnels: Rect
    public var mappings: Rect
    public var detail: Rect
    public var log: Rect
    public var keyBar: Rect

    public init(size: TerminalSize, tunnelCount: Int, mappingCount: Int) {
        let width = size.columns
        let available = max(0, size.rows - 2)
        let tunnelsHeight = min(max(tunnelCount, 1), 3) + 2
        let rest = max(0, available - tunnelsHeight)
        // The detail pane needs 8 rows to show 3 visitors and requests (the
        // log has its own full view, `v`): on short terminals the log gives
        // way first (down to 2 lines), then the mappings table (down to 3
        // rows, it scrolls).
        var logHeight = max(5, rest / 4)
        var mappingsHeight = min(max(mappingCount + 3, 6), max(6, rest * 2 / 5))
        if rest - logHeight - mappingsHeight < Layout.detailMinimum { logHeight = max(4, rest - mappingsHeight - Layout.detailMinimum) }
        if rest - logHeight - mappingsHeight < Layout.detailMinimum { mappingsHeight = max(6, rest - logHeight - Layout.detailMinimum) }
        let detailHeight = max(0, rest - logHeight - mappingsHeight)
        header = Rect(x: 0, y: 0, width: width, height: 1)
        tunnels = Rect(x: 0, y: 1, width: width, height: tunnelsHeight)
        mappings = Rect(x: 0, y: tunnels.maxY, width: width, height: mappingsHeight)
        detail = Rect(x: 0, y: mappings.maxY, width: width, height: detailHeight)
        log = Rect(x: 0, y: detail.maxY, width: width, height: logHeight)
        keyBar = Rect(x: 0, y: size.rows - 1, width: width, height: 1)
    }

    public init(state: AppState) {
        self.init(size: state.size, tunnelCount: state.snapshot.tunnels.count, mappingCount: state.visibleMappings.count)
    }

    /// Borders, the stats and bytes lines, the list header and 3 list rows.
    static let detailMinimum = 8

    /// Mapping rows that fit under the column header.
    public var mappingCapacity: Int { max(1, mappings.height - 3) }

    /// The first mapping row shown, so that `selected` is visible.
    public func mappingScroll(selected: Int) -> Int { max(0, selected - mappingCapacity + 1) }

    /// The screen row of mapping row `index`, or nil when scrolled away.
    public func mappingRowY(_ index: Int, selected: Int) -> Int? {
        let offset = index - mappingScroll(selected: selected)
        guard offset >= 0, offset < mappingCapacity else { return nil }
        return mappings.y + 2 + offset
    }

    /// The mapping row index at screen row `y`, if `y` is on a row.
    public func mappingIndex(atY y: Int, selected: Int, count: Int) -> Int? {
        let offset = y - (mappings.y + 2)
        guard offset >= 0, offset < mappingCapacity else { return nil }
        let index = offset + mappingScroll(selected: selected)
        return index < count ? index : nil
    }
}
