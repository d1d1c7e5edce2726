/// What a key binding asks for, before the state decides what it means.
public enum Command: String, CaseIterable, Sendable, Equatable {
    case moveUp, moveDown, pageUp, pageDown, top, bottom
    case nextPane, previousPane, focusDetail, back
    case add, edit, delete, toggle, copy, open
    case nextTheme, filter, help, profiles, quit, fullView, suspend
    /// In the request inspector.
    case replay, editReplay, reveal
}
