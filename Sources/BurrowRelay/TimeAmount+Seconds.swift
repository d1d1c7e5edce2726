import NIOCore

extension TimeAmount {
    /// Limits in relay.json are seconds with fractions (tests use 0.5 s).
    static func fromSeconds(_ seconds: Double) -> TimeAmount {
        TimeAmount(Duration.seconds(seconds))
    }
}
