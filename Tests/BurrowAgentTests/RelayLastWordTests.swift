import BurrowCore
import NIOCore
import NIOEmbedded
import NIOSSH
import Testing

@testable import BurrowAgent

/// The relay's last notice explains the close that follows it: the tunnel's
/// reconnecting line says "the relay closed the connection (it said: …)".
@Suite("RelayLastWord", .timeLimit(.minutes(1)))
struct RelayLastWordTests {
    let start = ContinuousClock.now

    @Test("a close within the window carries the notice; a later one, or none, stays bare")
    func window() {
        let word = RelayLastWord()
        let closed = TunnelError.connectionClosed("the relay closed the connection")
        #expect(word.explain(closed, now: start).description == "the relay closed the connection")
        word.record("the relay is shutting down; open connections may finish", at: start)
        #expect(word.explain(closed, now: start + .seconds(2)).description
            == "the relay closed the connection (it said: the relay is shutting down; open connections may finish)")
        #expect(word.explain(closed, now: start + RelayLastWord.window).description.contains("(it said: "))
        #expect(word.explain(closed, now: start + RelayLastWord.window + .seconds(1)).description
            == "the relay closed the connection")
    }

    @Test("only the latest notice counts, and other failures keep their own words")
    func latestAndOtherFailures() {
        let word = RelayLastWord()
        word.record("first", at: start)
        word.record("second", at: start + .seconds(1))
        #expect(word.explain(.connectionClosed("connection lost: reset"), now: start + .seconds(2)).description
            == "connection lost: reset (it said: second)")
        let timedOut = TunnelError.timedOut("waiting for the SSH handshake")
        #expect(word.explain(timedOut, now: start + .seconds(2)).description == timedOut.description)
    }

    @Test("the control handler records a notice line as it arrives, before any close")
    func controlHandlerRecords() throws {
        let (_, continuation) = AsyncStream<RelayMessage>.makeStream()
        let word = RelayLastWord()
        let channel = EmbeddedChannel(handlers: [ControlChannelHandler(messages: continuation, refusals: RefusalBook(), lastWord: word)])
        try channel.connect(to: SocketAddress(ipAddress: "198.51.100.4", port: 22)).wait()
        let line = ControlCodec.encode(RelayMessage.notice("this key already has 1 SSH connection open", informational: false)) + "\n"
        try channel.writeInbound(SSHChannelData(type: .channel, data: .byteBuffer(ByteBuffer(string: line))))
        #expect(word.explain(.connectionClosed("the relay closed the connection")).description
            == "the relay closed the connection (it said: this key already has 1 SSH connection open)")
        _ = try? channel.finish()
    }
}
