import NIOCore
import NIOEmbedded
import NIOSSH
import Testing

@testable import BurrowAgent

/// The SSH connection watcher on an EmbeddedChannel; the handshake
/// deadline runs on the loop's clock (`advanceTime`).
@Suite("ConnectionStateHandler (EmbeddedChannel)")
struct ConnectionStateHandlerTests {
    /// What a future came to, once it has (callbacks run at once on an EmbeddedEventLoop).
    final class Outcome<Value: Sendable> {
        var result: Result<Value, any Error>?
        var failure: String? {
            guard case .failure(let error) = result else { return nil }
            return "\(error)"
        }
        init(_ future: EventLoopFuture<Value>) {
            future.assumeIsolated().whenComplete { self.result = $0 }
        }
    }

    /// Sees what the handler passes on.
    final class Tail: ChannelInboundHandler {
        typealias InboundIn = Any
        var events: [Any] = []
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) { events.append(event) }
    }

    struct Garbled: Error, CustomStringConvertible {
        let description: String
    }

    private func start(timeout: TimeAmount = .seconds(15)) throws -> (EmbeddedChannel, Outcome<Void>, Outcome<TunnelError>, Tail) {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "198.51.100.4", port: 22)).wait()
        let authenticated = channel.eventLoop.makePromise(of: Void.self)
        let closed = channel.eventLoop.makePromise(of: TunnelError.self)
        let tail = Tail()
        try channel.pipeline.syncOperations.addHandlers([
            ConnectionStateHandler(authenticated: authenticated, closed: closed, handshakeTimeout: timeout), tail,
        ])
        return (channel, Outcome(authenticated.futureResult), Outcome(closed.futureResult), tail)
    }

    @Test("user auth success completes authenticated, is passed on, and stops the handshake deadline")
    func authenticated() throws {
        let (channel, authenticated, closed, tail) = try start()
        channel.pipeline.fireUserInboundEventTriggered(UserAuthSuccessEvent())
        #expect(authenticated.result != nil && authenticated.failure == nil)
        #expect(tail.events.contains { $0 is UserAuthSuccessEvent })
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
        #expect(closed.result == nil)
        channel.pipeline.fireChannelInactive()
        #expect(closed.failure == nil)
        if case .success(let reason)? = closed.result { #expect("\(reason)" == "the relay closed the connection") }
        _ = try channel.finish()
    }

    @Test("no handshake in time: authenticated fails with the timeout and the connection closes, not before")
    func handshakeTimeout() throws {
        let (channel, authenticated, _, _) = try start()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(14_999))
        #expect(authenticated.result == nil)
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(authenticated.failure == "timed out waiting for the SSH handshake")
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("after the handshake deadline, closed gives the timeout as the reason")
    func timeoutReason() throws {
        let (channel, _, closed, _) = try start()
        channel.embeddedEventLoop.advanceTime(by: .seconds(15))
        guard case .success(let reason)? = closed.result else {
            Issue.record("closed did not complete")
            return
        }
        #expect("\(reason)" == "timed out waiting for the SSH handshake")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("an error closes the connection; authenticated fails with it; closed names the first error")
    func errors() throws {
        let (channel, authenticated, closed, _) = try start()
        channel.pipeline.fireErrorCaught(Garbled(description: "bad MAC"))
        channel.pipeline.fireErrorCaught(Garbled(description: "second"))
        #expect(authenticated.failure == "bad MAC")
        #expect(!channel.isActive)
        if case .success(let reason)? = closed.result {
            #expect("\(reason)" == "connection lost: bad MAC")
        } else {
            Issue.record("closed did not complete")
        }
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("a TunnelError is the reason as it is (a refused key stays a refused key)")
    func tunnelErrorKept() throws {
        let (channel, authenticated, closed, _) = try start()
        let refused = TunnelError.keyRefused(relay: "relay.example", fingerprint: "SHA256:abc")
        channel.pipeline.fireErrorCaught(refused)
        #expect(authenticated.failure == refused.description)
        if case .success(.keyRefused(let relay, _))? = closed.result {
            #expect(relay == "relay.example")
        } else {
            Issue.record("closed is \(String(describing: closed.result))")
        }
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test("the relay closing before auth fails authenticated with that reason")
    func closedBeforeAuth() throws {
        let (channel, authenticated, closed, _) = try start()
        try channel.close().wait()
        #expect(authenticated.failure == "the relay closed the connection")
        if case .success(let reason)? = closed.result { #expect("\(reason)" == "the relay closed the connection") }
        #expect(closed.result != nil)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}
