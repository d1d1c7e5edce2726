/// How many connections serve a pooled name, as the relay reports it (the
/// `pool` control message): `online` take visitors now (their local service
/// answers), of `members` connected. Shown as `pool 2/3`.
public struct PoolSize: Sendable, Hashable, Codable {
    public var online: Int
    public var members: Int

    public init(online: Int, members: Int) {
        self.online = online
        self.members = members
    }

    /// `pool 2/3`
    public var description: String { "pool \(online)/\(members)" }
}
