import NIOCore

extension TimeAmount {
    /// Limits in relay.json are seconds with fractions (tests use 0.5 s).
    static func fromSeconds(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
