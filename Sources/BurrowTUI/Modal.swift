/// A window over the main screen that takes the keys while it is open.
public enum Modal: Sendable, Equatable {
    case help
    case form(MappingForm)
    case confirmDelete(String)
    /// The profile switcher; `index` 0 is "embedded relay / none".
    case profiles(index: Int)
    /// The whole text of the log or of a mapping.
    case fullView(FullView)
    /// One recorded HTTP request and its response (and a replay of it).
    case inspector(Inspector)
    /// "Keep the tunnels running in the background?" on the way out.
    case quitQuestion
}
