import NIOCore
import NIOEmbedded
import Testing

@testable import BurrowRelay

/// The last handler of an SSH connection, on an EmbeddedChannel.
@Suite("ConnectionErrorHandler (EmbeddedChannel)")
struct ConnectionErrorHandlerTests {
    struct BadPacket: Error, CustomStringConvertible {
        var description: String { "bad packet length 99999" }
    }

    @Test("an error ends the connection with one log line naming it")
    func errorCloses() throws {
        let context = try TestRelayContext()
        let channel = EmbeddedChannel()
        let peer = try SocketAddress(ipAddress: "198.51.100.4", port: 40022)
        channel.remoteAddress = peer
        try channel.connect(to: peer).wait()
        let session = RelaySession(id: 1, channel: channel, context: context.relay)
        try channel.pipeline.syncOperations.addHandler(ConnectionErrorHandler(session: session))
        #expect(channel.isActive)
        channel.pipeline.fireErrorCaught(BadPacket())
        #expect(!channel.isActive)
        #expect(context.log.count == 1)
        #expect(context.log.first?.contains("connection closed: bad packet length 99999") == true)
        #expect(context.log.first?.contains("198.51.100.4") == true, "the line does not say which peer")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}
