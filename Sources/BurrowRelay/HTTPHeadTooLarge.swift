/// Raised by `HTTPHeadBuffer` when a visitor sent more than
/// `httpHeadMaxBytes` without completing its request head; the router
/// answers 431.
struct HTTPHeadTooLarge: Error {
    let maximum: Int
}
