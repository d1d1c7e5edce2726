/// A window over the main screen that takes the keys while it is open.
public enum Modal: Sendable, Equatable {
    case help
    case form(MappingForm)
    case confirmDelete(String)
    /// The profile switcher; `index` 0 is "embedded relay / none".
    case profiles(index: Int)
    /// The whole text of the log or of a mapping.
    case fullView(FullView)
}
