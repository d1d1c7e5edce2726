/// Raised by `HTTPHeadLimiter` when a request head (the first of a
/// connection or any later one) took longer than `httpHeadTimeoutSeconds`
/// from its first byte; the router answers 408.
struct HTTPHeadTimeout: Error {
    let seconds: Double
}
