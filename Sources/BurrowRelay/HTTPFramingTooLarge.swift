/// Raised by `HTTPHeadLimiter` when a body's framing (chunk-size lines,
/// chunk extensions, trailers) ran to more than `httpHeadMaxBytes` without a
/// byte of body: the decoder would skip it, the relay refuses it (400).
struct HTTPFramingTooLarge: Error {
    let maximum: Int
}
