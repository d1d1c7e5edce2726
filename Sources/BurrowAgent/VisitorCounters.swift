import Synchronization

/// The byte counters of one open visitor. The data path adds to them with
/// relaxed atomics (no locks, no allocation per packet); snapshots read them
/// from any thread.
final class VisitorCounters: Sendable {
    let bytesIn = Atomic<UInt64>(0)
    let bytesOut = Atomic<UInt64>(0)

    func addIn(_ count: Int) {
        bytesIn.wrappingAdd(UInt64(count), ordering: .relaxed)
    }

    func addOut(_ count: Int) {
        bytesOut.wrappingAdd(UInt64(count), ordering: .relaxed)
    }
}
