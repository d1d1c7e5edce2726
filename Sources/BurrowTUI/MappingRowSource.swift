import BurrowCore

/// A mapping rule joined with what the engine knows of it.
public struct MappingRowSource: Sendable, Equatable {
    public var mapping: Mapping
    public var live: MappingSnapshot?
    public var tunnel: String
}
