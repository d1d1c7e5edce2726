import BurrowCore
import NIOCore

/// The first `HTTPExchange.bodyCaptureLimit` bytes of one body: pieces are
/// copied (one memcpy each) until the limit, the rest is only counted by the scanner.
struct BodyCapture {
    private(set) var bytes: [UInt8] = []

    var isFull: Bool { bytes.count >= HTTPExchange.bodyCaptureLimit }

    /// A body of known length gets its room at once: no regrowth, no spare capacity kept.
    mutating func reserve(_ length: UInt64?) {
        guard let length, length > 0, bytes.isEmpty else { return }
        bytes.reserveCapacity(Int(min(length, UInt64(HTTPExchange.bodyCaptureLimit))))
    }

    /// Copies what still fits of `buffer`'s readable bytes `at..<at+length`.
    mutating func add(_ buffer: ByteBuffer, at: Int, length: Int) {
        let room = HTTPExchange.bodyCaptureLimit - bytes.count
        guard room > 0, length > 0 else { return }
        let view = buffer.readableBytesView
        let start = view.startIndex + at
        bytes.append(contentsOf: view[start..<(start + min(room, length))])
    }

    /// Hands the bytes over and starts empty.
    mutating func take() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }
}
