import Synchronization

/// The bytes one spliced connection moved, as `ByteCountingHandler` counts
/// them. The data path adds with relaxed atomics (no locks, no allocation per
/// read); statistics and snapshots read them from any thread.
public final class ByteTally: Sendable {
    /// Read from the channel the counter sits on.
    public let read = Atomic<UInt64>(0)
    /// Written to that channel.
    public let written = Atomic<UInt64>(0)

    public init() {}

    public var readBytes: UInt64 { read.load(ordering: .relaxed) }
    public var writtenBytes: UInt64 { written.load(ordering: .relaxed) }
}
