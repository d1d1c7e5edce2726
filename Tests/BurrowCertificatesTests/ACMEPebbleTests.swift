import BurrowTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
@testable import BurrowCertificates

/// The ACME client against Let's Encrypt's real test server: pebble validates
/// an HTTP-01 answer over loopback and issues a certificate that OpenSSL
/// verifies against pebble's root for exactly the name asked.
@Suite(.spawnsProcesses, .tags(.slow), .serialized) struct ACMEPebbleTests {
    /// `rejectNoncePercent`: pebble refuses that share of good nonces with
    /// badNonce, which RFC 8555 §6.5 says a client retries.
    @Test(arguments: [0, 30]) func obtainsACertificateWithHTTP01(rejectNoncePercent: Int) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let board = ACMEChallengeBoard()
        let responder = try await HTTP01Responder.start(group: group, board: board)
        let tlsPort = try FreePorts.take(1)[0]
        let pebble = try await Pebble(httpPort: responder.localAddress!.port!, tlsPort: tlsPort, rejectNoncePercent: rejectNoncePercent)
        do {
            let client = ACMEHTTPClient(group: group, trustedCAFile: pebble.wfeCAFile)
            let issuer = ACMEIssuer(directoryURL: pebble.directoryURL, contactEmail: "ops@burrow.test", accountKey: ACMEAccountKey(), challengeType: .http01, client: client, board: board)
            let issued = try await issuer.obtain(names: ["web.burrow.test"])
            #expect(issued.notValidAfter > Date())
            #expect(board.httpAnswer(path: "/.well-known/acme-challenge/x") == nil)

            let root = try await pebble.issuingRootFile()
            let dir = pebble.directory
            try issued.chainPEM.write(toFile: dir + "/chain.pem", atomically: true, encoding: .utf8)
            // The chain file holds leaf + intermediate: verify the leaf with the intermediate as untrusted.
            let verify = try SpawnedProcess.run("/usr/bin/openssl", ["verify", "-CAfile", root, "-untrusted", dir + "/chain.pem", "-verify_hostname", "web.burrow.test", dir + "/chain.pem"])
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)\n\(pebble.log)")
            try issued.privateKeyPEM.write(toFile: dir + "/key.pem", atomically: true, encoding: .utf8)
            let pair = try SpawnedProcess.run("/bin/sh", ["-c", "cd '\(dir)' && [ \"$(openssl x509 -in chain.pem -noout -pubkey)\" = \"$(openssl pkey -in key.pem -pubout)\" ]"])
            #expect(pair.status == 0, "the key returned is not the certificate's")
        } catch {
            Issue.record("\(error)\n--- pebble log ---\n\(pebble.log)")
        }
        await pebble.stop()
        try? await responder.close()
    }

    @Test func aFailedValidationNamesTheACMEError() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        // Nothing listens where pebble will look for the HTTP-01 answer.
        let ports = try FreePorts.take(2)
        let pebble = try await Pebble(httpPort: ports[0], tlsPort: ports[1])
        let client = ACMEHTTPClient(group: group, trustedCAFile: pebble.wfeCAFile)
        let issuer = ACMEIssuer(directoryURL: pebble.directoryURL, contactEmail: nil, accountKey: ACMEAccountKey(), challengeType: .http01, client: client, board: ACMEChallengeBoard())
        await #expect {
            _ = try await issuer.obtain(names: ["down.burrow.test"])
        } throws: { error in
            let text = "\(error)"
            return text.contains("down.burrow.test: authorization invalid") && text.contains("connection")
        }
        await pebble.stop()
    }

    @Test func anUntrustedACMEServerIsRefused() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let ports = try FreePorts.take(2)
        let pebble = try await Pebble(httpPort: ports[0], tlsPort: ports[1])
        // The system's roots, not pebble's: the handshake must fail.
        let client = ACMEHTTPClient(group: group, trustedCAFile: nil)
        let issuer = ACMEIssuer(directoryURL: pebble.directoryURL, contactEmail: nil, accountKey: ACMEAccountKey(), challengeType: .http01, client: client, board: ACMEChallengeBoard())
        await #expect(throws: ACMEIssuer.Failure.self) {
            _ = try await issuer.obtain(names: ["web.burrow.test"])
        }
        await pebble.stop()
    }
}

/// A bare HTTP/1.1 server on loopback answering HTTP-01 validations from the
/// board (the relay's HTTP port does the same in front of its router).
enum HTTP01Responder {
    static func start(group: EventLoopGroup, board: ACMEChallengeBoard) async throws -> Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(board: board))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let board: ACMEChallengeBoard
        var path = ""
        init(board: ACMEChallengeBoard) { self.board = board }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): path = head.uri
            case .body: break
            case .end:
                let answer = board.httpAnswer(path: path)
                var head = HTTPResponseHead(version: .http1_1, status: answer == nil ? .notFound : .ok)
                let body = ByteBuffer(string: answer ?? "no such token\n")
                head.headers.add(name: "Content-Length", value: String(body.readableBytes))
                head.headers.add(name: "Content-Type", value: "application/octet-stream")
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
