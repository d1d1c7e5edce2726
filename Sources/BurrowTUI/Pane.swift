/// The panes focus moves between with Tab.
public enum Pane: Int, CaseIterable, Sendable, Equatable, CyclicCase {
    case tunnels, mappings, detail, log
}
