/// The panes focus moves between with Tab.
public enum Pane: Int, CaseIterable, Sendable, Equatable {
    case tunnels, mappings, detail, log

    public var next: Pane { Pane(rawValue: (rawValue + 1) % Pane.allCases.count)! }
    public var previous: Pane { Pane(rawValue: (rawValue + Pane.allCases.count - 1) % Pane.allCases.count)! }
}
