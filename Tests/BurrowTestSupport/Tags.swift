import Testing

extension Tag {
    /// A suite that runs for tens of seconds on purpose (a soak, 10 000
    /// connections, pebble's short-lived certificates, fault injection):
    /// skip them while iterating with `swift test --skip <suite>`, or
    /// filter by tag in an IDE. `swift test` runs them all.
    @Tag public static var slow: Tag
}
