import BurrowCore

// Placeholder until the inspector lands (issue 14, part 3): the engine keeps no exchanges yet.
extension Engine {
    public func exchanges(mapping: String?, limit: Int) async throws -> [HTTPExchange] {
        []
    }

    public func exchange(id: UInt64) async throws -> HTTPExchange {
        throw InspectorError.noSuchExchange(id)
    }

    public func replay(id: UInt64, edited: HTTPReplayRequest?, confirmed: Bool) async throws -> HTTPExchange {
        throw InspectorError.noSuchExchange(id)
    }
}
