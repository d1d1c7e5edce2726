import BurrowCore
import TerminalUI

/// Everything the screen shows, as one value. Changed only by `reduce`.
public struct AppState: Sendable, Equatable {
    public var size: TerminalSize
    public var now: Double
    public var version = BurrowVersion.current
    /// Shown in the header before the engine reports a tunnel.
    public var relayLabel: String
    public var snapshot = EngineSnapshot(takenAt: 0)
    /// The rules from mappings.json, in file order.
    public var mappings: [Mapping] = []
    public var profiles: [Profile] = []
    public var selectedProfile: String?
    /// Newest first, at most `logLimit`.
    public var log: [LogEntry] = []
    public var focus: Pane = .mappings
    /// 0 = all tunnels, n = the n-th tunnel of the snapshot.
    public var tunnelIndex = 0
    /// The selected row of the (filtered) mappings table.
    public var mappingIndex = 0
    public var detailScroll = 0
    /// The selected row of the detail pane's request list (HTTP mappings),
    /// and its exchange id, so the selection follows it as newer requests arrive.
    public var requestIndex = 0
    public var requestID: UInt64?
    public var logScroll = 0
    public var filter = ""
    public var editingFilter = false
    public var modal: Modal?
    public var themeNames: [String]
    public var themeName: String
    public var toast: Toast?
    public var quitting = false
    /// What the person chose on the way out (set when `quitting`).
    public var exit: TUIExit?
    /// Whose engine this is and whether quitting asks about it.
    public var quitPolicy = QuitPolicy()
    /// "attached to burrow up (pid N)"; nil when this process started the engine.
    public var engineLabel: String?
    /// Why the engine went away (attached, and it stopped); nil while it answers.
    public var engineStopped: String?

    public static let logLimit = 200
    public static let minimumSize = TerminalSize(columns: 80, rows: 24)

    public init(size: TerminalSize, now: Double, relayLabel: String = "embedded relay on 127.0.0.1",
                themeNames: [String] = ["default"], themeName: String = "default") {
        self.size = size
        self.now = now
        self.relayLabel = relayLabel
        self.themeNames = themeNames
        self.themeName = themeName
    }

    public var isTooSmall: Bool { size.columns < AppState.minimumSize.columns || size.rows < AppState.minimumSize.rows }

    /// The tunnel the tunnels pane has selected, nil for "all".
    public var selectedTunnel: String? {
        guard tunnelIndex > 0, tunnelIndex <= snapshot.tunnels.count else { return nil }
        return snapshot.tunnels[tunnelIndex - 1].profile
    }

    /// The rows of the mappings table: file order, filtered by tunnel and text.
    public var visibleMappings: [MappingRowSource] {
        let byName = Dictionary(snapshot.mappings.map { ($0.mapping.name, $0) }, uniquingKeysWith: { first, _ in first })
        let needle = filter.lowercased()
        return mappings.compactMap { mapping in
            let live = byName[mapping.name]
            let tunnel = live?.tunnel ?? mapping.profile ?? selectedProfile ?? EngineSnapshot.embeddedTunnel
            if let selectedTunnel, tunnel != selectedTunnel { return nil }
            if !needle.isEmpty {
                let haystack = [mapping.name, mapping.local.description, live?.publicURL?.description ?? "", mapping.protocol.rawValue]
                    .joined(separator: " ").lowercased()
                if !haystack.contains(needle) { return nil }
            }
            return MappingRowSource(mapping: mapping, live: live, tunnel: tunnel)
        }
    }

    /// Every rule with its live state and tunnel, whatever the filter and the selected tunnel.
    public var allMappingRows: [MappingRowSource] {
        let byName = Dictionary(snapshot.mappings.map { ($0.mapping.name, $0) }, uniquingKeysWith: { first, _ in first })
        return mappings.map { mapping in
            let live = byName[mapping.name]
            return MappingRowSource(mapping: mapping, live: live,
                                    tunnel: live?.tunnel ?? mapping.profile ?? selectedProfile ?? EngineSnapshot.embeddedTunnel)
        }
    }

    /// The selected mapping's recent requests, when it is an HTTP mapping.
    public var selectedRequests: [HTTPRequestRecord]? {
        guard let source = selectedMapping, source.mapping.protocol == .http else { return nil }
        return source.live?.recentRequests ?? []
    }

    public var selectedMapping: MappingRowSource? {
        let rows = visibleMappings
        return rows.indices.contains(mappingIndex) ? rows[mappingIndex] : nil
    }
}
