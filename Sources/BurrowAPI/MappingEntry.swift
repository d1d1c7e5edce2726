import BurrowCore

/// One entry of `GET /api/v1/mappings`: the mapping as in mappings.json
/// (same fields) with what the engine says of it now.
public struct MappingEntry: Codable, Sendable, Equatable {
    public var mapping: Mapping
    /// disabled, pending, online, refused; "unknown" when the engine has not seen it yet.
    public var state: String
    public var reason: String?
    public var tunnel: String?
    public var url: String?
    public var alsoURL: String?

    private enum ExtraKeys: String, CodingKey { case state, reason, tunnel, url, alsoURL }

    public init(mapping: Mapping, state: String, reason: String? = nil, tunnel: String? = nil, url: String? = nil, alsoURL: String? = nil) {
        self.mapping = mapping
        self.state = state
        self.reason = reason
        self.tunnel = tunnel
        self.url = url
        self.alsoURL = alsoURL
    }

    init(_ mapping: Mapping, snapshot: MappingSnapshot?) {
        self.mapping = mapping
        guard let snapshot, snapshot.mapping == mapping else {
            state = mapping.enabled ? "pending" : "disabled"
            return
        }
        (state, reason) = WireMappingSnapshot.state(snapshot.state)
        tunnel = snapshot.tunnel
        url = snapshot.publicURL?.description
        alsoURL = snapshot.alsoURL?.description
    }

    /// The mapping's own fields and the engine's beside them, in one object.
    public func encode(to encoder: any Encoder) throws {
        try mapping.encode(to: encoder)
        var extra = encoder.container(keyedBy: ExtraKeys.self)
        try extra.encode(state, forKey: .state)
        try extra.encodeIfPresent(reason, forKey: .reason)
        try extra.encodeIfPresent(tunnel, forKey: .tunnel)
        try extra.encodeIfPresent(url, forKey: .url)
        try extra.encodeIfPresent(alsoURL, forKey: .alsoURL)
    }

    public init(from decoder: any Decoder) throws {
        mapping = try Mapping(from: decoder)
        let extra = try decoder.container(keyedBy: ExtraKeys.self)
        state = try extra.decode(String.self, forKey: .state)
        reason = try extra.decodeIfPresent(String.self, forKey: .reason)
        tunnel = try extra.decodeIfPresent(String.self, forKey: .tunnel)
        url = try extra.decodeIfPresent(String.self, forKey: .url)
        alsoURL = try extra.decodeIfPresent(String.self, forKey: .alsoURL)
    }
}
