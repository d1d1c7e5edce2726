import BurrowConfig
import BurrowRelay
import Crypto
import Foundation
import NIOCore
import NIOEmbedded
import NIOSSH

/// The fuzzing entry to the HTTP visitor pipeline (`Fuzz/FuzzHTTPRouter`):
/// feeds arbitrary bytes to a fresh `HTTPHeadLimiter` → NIOHTTP1 decoder →
/// `HTTPRouter` on an `EmbeddedChannel`, lets the head deadline pass, and
/// returns what the relay wrote back. No sockets, no SSH: unknown names get
/// 404, the reserved name `held` gets 502 (its agent is away).
/// It lives in its own module so the shipped `BurrowRelay` carries no test
/// scaffolding (and no NIOEmbedded); it reaches the router through `package` access.
public enum HTTPRouterProbe {
    static let context: RelayContext = {
        let directory = FileManager.default.temporaryDirectory.path + "/burrow-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = RelayConfiguration(stateDirectory: directory)
        configuration.domain = "example.com"
        let reservations = try! ReservationStore(path: directory + "/reservations.json")
        try? reservations.claim(name: "held", for: "SHA256:fuzz")
        return RelayContext(
            configuration: configuration, hostKey: NIOSSHPrivateKey(ed25519Key: Curve25519.Signing.PrivateKey()),
            reservations: reservations)
    }()

    /// Runs one visitor: `chunks` arrive as separate reads. Returns the relay's answer.
    public static func feed(_ chunks: [[UInt8]]) -> [UInt8] {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        do {
            try HTTPVisitorPipeline.install(on: channel, relay: context)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
        } catch {
            return []
        }
        for chunk in chunks {
            guard channel.isActive else { break }
            _ = try? channel.writeInbound(ByteBuffer(bytes: chunk))
        }
        // A visitor that stopped short meets the head deadline.
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(Int64((context.limits.httpHeadTimeoutSeconds + 1) * 1000)))
        var answer: [UInt8] = []
        while let buffer = try? channel.readOutbound(as: ByteBuffer.self) {
            answer += buffer.readableBytesView
        }
        return answer
    }
}
