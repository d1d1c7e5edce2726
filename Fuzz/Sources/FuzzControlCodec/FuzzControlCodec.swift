import BurrowCore

/// One input = one burrow-control line, decoded as both directions' messages.
/// Decoding must fail cleanly or give a message that encodes and decodes
/// back to itself; nothing may crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControlCodec(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let line = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let message = try? ControlCodec.decodeAgentMessage(line) {
        let again = try? ControlCodec.decodeAgentMessage(ControlCodec.encode(message))
        if again != message { fatalError("agent message does not survive encode/decode: \(message)") }
    }
    if let message = try? ControlCodec.decodeRelayMessage(line) {
        let again = try? ControlCodec.decodeRelayMessage(ControlCodec.encode(message))
        if again != message { fatalError("relay message does not survive encode/decode: \(message)") }
    }
    return 0
}
