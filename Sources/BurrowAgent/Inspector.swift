import Synchronization

/// The engine's request inspector settings, shared by every mapping's
/// statistics: whether exchanges are kept at all, and the one id counter
/// that makes exchange ids unique across the engine (owned by the engine,
/// handed down; no global).
final class Inspector: Sendable {
    /// Keep exchanges (`EngineOptions.inspect`). Off: the request list of the snapshot still works, with id 0.
    let isOn: Bool
    private let lastID = Atomic<UInt64>(0)

    init(isOn: Bool = true) {
        self.isOn = isOn
    }

    /// A fresh id (1, 2, 3…). Called under the mapping's lock, so ids grow in each mapping's log order.
    func nextID() -> UInt64 {
        lastID.wrappingAdd(1, ordering: .relaxed).newValue
    }
}
