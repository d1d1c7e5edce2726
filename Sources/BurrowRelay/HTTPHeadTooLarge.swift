/// Raised by `HTTPHeadLimiter` when a visitor sent more than
/// `httpHeadMaxBytes` without completing a request head; the router
/// answers 431.
struct HTTPHeadTooLarge: Error {
    let maximum: Int
}
