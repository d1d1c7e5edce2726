import BurrowRelayFuzzing

/// One input = one HTTP visitor. The first byte says where to cut the rest
/// into reads (so heads split across packets are tried too); the relay must
/// answer every input with a whole HTTP response or nothing, and never crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRouter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let step = max(1, Int(bytes[0]))
    let body = bytes.dropFirst()
    var chunks: [[UInt8]] = []
    var index = body.startIndex
    while index < body.endIndex {
        let end = min(index + step, body.endIndex)
        chunks.append(Array(body[index..<end]))
        index = end
    }
    let answer = HTTPRouterProbe.feed(chunks)
    // Whatever the relay says itself is a complete HTTP/1.1 response.
    if !answer.isEmpty, !answer.starts(with: Array("HTTP/1.1 ".utf8)) {
        fatalError("the relay answered something that is not an HTTP/1.1 response")
    }
    return 0
}
