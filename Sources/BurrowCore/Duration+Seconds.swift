extension Duration {
    /// The duration in seconds, with fractions: the one conversion rates and
    /// pauses use (BurrowCore has no NIO; NIO code uses `TimeAmount(duration)`).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
