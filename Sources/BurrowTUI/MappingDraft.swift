import BurrowCore

/// A mapping as the add/edit form describes it, validated field by field.
public struct MappingDraft: Sendable, Equatable {
    public var `protocol`: MappingProtocol
    public var local: LocalAddress
    /// nil: a generated name (`http-3000`).
    public var name: String?
    public var remotePort: Int?
    /// nil: the selected profile, or the embedded relay.
    public var profile: String?
    public var enabled: Bool
    public var allow: [CIDR] = []
    public var deny: [CIDR] = []
    /// `USER:PASSWORD` typed in the form: hashed when saved, never stored as is.
    public var basicAuthCredentials: String?
    /// The stored rule an edit keeps when no new credentials were typed.
    public var keptBasicAuth: BasicAuthRule?
    public var proxyProtocol: ProxyProtocolVersion?
    public var httpsRedirect = false
    /// `--pool`: served together with the owner's other agents.
    public var pool = false

    public init(protocol: MappingProtocol, local: LocalAddress, name: String? = nil, remotePort: Int? = nil,
                profile: String? = nil, enabled: Bool = true) {
        self.protocol = `protocol`
        self.local = local
        self.name = name
        self.remotePort = remotePort
        self.profile = profile
        self.enabled = enabled
    }
}
