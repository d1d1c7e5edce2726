import BurrowCore
import Testing

/// Inputs libFuzzer found (Fuzz/FuzzControlCodec); each once crashed or broke
/// a round trip, and must not again.
@Suite struct FuzzRegressionTests {
    @Test("a control line's URL survives decode → encode → decode", arguments: [
        #"{"type":"forwarded","bindHost":"w","bindPort":80,"boundPort":80,"url":"http://wst::080"}"#,
        #"{"type":"forwarded","bindHost":"w","bindPort":80,"boundPort":80,"url":"http://t:+81"}"#,
        #"{"type":"forwarded","bindHost":"w","bindPort":80,"boundPort":80,"url":"http://[::1]:8080"}"#,
        #"{"type":"forwarded","bindHost":"w","bindPort":80,"boundPort":80,"url":"http://a b:80"}"#,
    ])
    func forwardedURLRoundTrips(line: String) throws {
        guard let message = try? ControlCodec.decodeRelayMessage(line) else { return }  // refusing is fine
        #expect(try ControlCodec.decodeRelayMessage(ControlCodec.encode(message)) == message)
    }

    @Test("URLs whose host or port cannot be written back are refused")
    func badURLsAreRefused() throws {
        for text in ["http://wst::080", "http://wst:", "http://:80", "http://t:+81", "http://a b", "tcp://x:99999", "http://[zz]:1"] {
            #expect(throws: CoreError.self, "\(text)") { try PublicURL(parsing: text) }
        }
        #expect(try PublicURL(parsing: "http://[::1]:8080").host == "[::1]")
        #expect(try PublicURL(parsing: "http://demo.localhost:8080").port == 8080)
    }
}
