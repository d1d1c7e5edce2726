/// How `Engine` is run: which tunnels, and the embedded relay if one was started.
public struct EngineOptions: Sendable {
    /// Only mappings of this profile (`burrow up --profile NAME`); nil = all.
    public var profileFilter: String?
    /// The relay started in this process when no profile is configured.
    public var embeddedRelay: EmbeddedRelayTarget?

    public init(profileFilter: String? = nil, embeddedRelay: EmbeddedRelayTarget? = nil) {
        self.profileFilter = profileFilter
        self.embeddedRelay = embeddedRelay
    }
}
