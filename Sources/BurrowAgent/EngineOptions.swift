/// How `Engine` is run: which tunnels, and the embedded relay if one was started.
public struct EngineOptions: Sendable {
    /// Only mappings of this profile (`burrow up --profile NAME`); nil = all.
    public var profileFilter: String?
    /// The relay started in this process when no profile is configured.
    public var embeddedRelay: EmbeddedRelayTarget?
    /// How often each tunnel pings its relay on burrow-control. Three
    /// unanswered pings in a row mean the path is dead: the tunnel reconnects
    /// (so a relay that stops answering without closing is noticed in about
    /// 4 × this). Relays also use these pings to tell a live agent from a dead one.
    public var keepaliveInterval: Duration = .seconds(5)
    /// `stop()` first withdraws every forward (no new visitors), then lets
    /// open visitors finish for up to this long before closing the tunnels.
    public var drainTimeout: Duration = .seconds(10)
    /// The request inspector (issue 14): keep the last 500 exchanges of each
    /// HTTP mapping (heads, the first 64 KiB of bodies) for `exchanges`,
    /// `exchange(id:)` and `replay`. Off (`burrow up --no-inspect`): nothing
    /// is kept, the snapshot's request list still works (ids 0), and replay
    /// finds nothing.
    public var inspect = true
    /// SSH connections per relay (`burrow up --connections N`, issue 15):
    /// overrides each profile's `connections`; nil: the profile's, else
    /// `ConnectionCount.default` (one per core, at most 4).
    public var connections: Int?

    public init(profileFilter: String? = nil, embeddedRelay: EmbeddedRelayTarget? = nil) {
        self.profileFilter = profileFilter
        self.embeddedRelay = embeddedRelay
    }
}
