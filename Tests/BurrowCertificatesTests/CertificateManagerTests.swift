import BurrowTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import Testing
@testable import BurrowCertificates

/// The three certificate sources as the relay uses them: a name registered
/// gets a certificate (local CA at once, ACME in the background and kept in
/// the state directory), file pairs reload on change and a bad file keeps the
/// old pair; each served certificate is checked by curl over a real handshake.
@Suite(.spawnsProcesses, .tags(.slow), .serialized) struct CertificateManagerTests {
    @Test func localAuthorityServesAtOnceAndCurlTrustsIt() async throws {
        let dir = try LocalCertificateAuthorityTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let authority = try LocalCertificateAuthority.loadOrCreate(directory: dir + "/config")
        let manager = CertificateManager(source: .localAuthority(authority), stateDirectory: dir + "/state")
        #expect(manager.serving("web.localhost") == nil)
        await manager.nameRegistered("Web.localhost")
        let serving = try #require(manager.serving("web.localhost"))
        #expect(manager.serving("api.localhost") == nil)
        guard case .ready = await manager.status(of: "web.localhost") else { Issue.record("not ready"); return }
        let body = try await TLSProbe.curl(serving, name: "web.localhost", caFile: authority.certificatePath)
        #expect(body == "hello over tls\n")
    }

    @Test func acmeObtainsStoresAndReusesAfterARestart() async throws {
        let dir = try LocalCertificateAuthorityTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let group = MultiThreadedEventLoopGroup.singleton
        let store = CertificateStore(stateDirectory: dir)
        let accountKey = try store.accountKey(directoryURL: "https://pebble.test/dir")
        let setup = try await ACMESetup(accountKey: accountKey)
        let (board, responder, pebble, issuer) = (setup.board, setup.responder, setup.pebble, setup.issuer)
        let seen = Mutex<[CertificateStatus]>([])
        let manager = CertificateManager(source: .acme(issuer), stateDirectory: dir)
        await manager.onStatus { name, status in if name == "web.burrow.test" { seen.withLock { $0.append(status) } } }
        await manager.nameRegistered("web.burrow.test")
        #expect(await manager.status(of: "web.burrow.test") == .pending)
        await manager.settle("web.burrow.test")
        let first = try #require(manager.serving("web.burrow.test"), "\(pebble.log)")
        #expect(seen.withLock { $0.count } == 2)
        #expect(try LocalCertificateAuthorityTests.mode(store.keyPath("web.burrow.test")) == 0o600)
        let root = try await pebble.issuingRootFile()
        #expect(try await TLSProbe.curl(first, name: "web.burrow.test", caFile: root) == "hello over tls\n")
        await pebble.stop()
        try? await responder.close()

        // A restarted relay (pebble gone): the stored certificate is served, nothing is asked.
        let deadIssuer = ACMEIssuer(directoryURL: "https://127.0.0.1:\(try FreePorts.take(1)[0])/dir", contactEmail: nil, accountKey: accountKey, challengeType: .http01, client: ACMEHTTPClient(group: group, trustedCAFile: nil), board: board)
        let restarted = CertificateManager(source: .acme(deadIssuer), stateDirectory: dir)
        await restarted.nameRegistered("web.burrow.test")
        #expect(restarted.serving("web.burrow.test")?.issued == first.issued)
        guard case .ready = await restarted.status(of: "web.burrow.test") else { Issue.record("not ready after restart"); return }
        // The same account key comes back for the same directory.
        #expect(try store.accountKey(directoryURL: "https://pebble.test/dir").jwk == issuer.accountKey.jwk)
    }

    /// A certificate is renewed at two thirds of its lifetime (pebble issues
    /// 30 s ones here): a tick before that date asks nothing, one after it
    /// gets a new certificate, and a connection made before keeps its own.
    @Test func acmeRenewsAtTwoThirdsOfTheLifetime() async throws {
        let dir = try LocalCertificateAuthorityTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let setup = try await ACMESetup(certificateValiditySeconds: 30)
        let (responder, pebble) = (setup.responder, setup.pebble)
        let manager = CertificateManager(source: .acme(setup.issuer), stateDirectory: dir)
        await manager.nameRegistered("web.burrow.test")
        await manager.settle("web.burrow.test")
        let first = try #require(manager.serving("web.burrow.test"), "\(pebble.log)")
        let renewAt = try CertificateValidity.renewalDate(pem: first.issued.chainPEM, jitter: 0)
        let lifetime = first.issued.notValidAfter.timeIntervalSince(renewAt) * 3
        #expect(lifetime > 20 && lifetime < 40, "pebble's lifetime: \(lifetime) s")
        await manager.tick()
        await manager.settle("web.burrow.test")
        #expect(manager.serving("web.burrow.test")?.issued == first.issued)  // not due yet
        // Past two thirds (plus the 5 % jitter): the next tick renews.
        let due = renewAt.addingTimeInterval(lifetime * 0.06 + 1).timeIntervalSinceNow
        if due > 0 { try await Task.sleep(for: .milliseconds(Int(due * 1000))) }
        await manager.tick()
        await manager.settle("web.burrow.test")
        let second = try #require(manager.serving("web.burrow.test"))
        #expect(second.issued != first.issued)
        #expect(second.issued.notValidAfter > first.issued.notValidAfter)
        let root = try await pebble.issuingRootFile()
        #expect(try await TLSProbe.curl(second, name: "web.burrow.test", caFile: root) == "hello over tls\n")
        // The old context still serves whoever handshook with it before.
        #expect(try await TLSProbe.curl(first, name: "web.burrow.test", caFile: root) == "hello over tls\n")
        await pebble.stop()
        try? await responder.close()
    }

    @Test func acmeFailureIsReportedAndBackedOff() async throws {
        let dir = try LocalCertificateAuthorityTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let group = MultiThreadedEventLoopGroup.singleton
        let ports = try FreePorts.take(2)
        let pebble = try await Pebble(httpPort: ports[0], tlsPort: ports[1])  // nobody answers HTTP-01
        let issuer = ACMEIssuer(directoryURL: pebble.directoryURL, contactEmail: nil, accountKey: ACMEAccountKey(), challengeType: .http01, client: ACMEHTTPClient(group: group, trustedCAFile: pebble.wfeCAFile), board: ACMEChallengeBoard())
        let manager = CertificateManager(source: .acme(issuer), stateDirectory: dir)
        await manager.nameRegistered("down.burrow.test")
        await manager.settle("down.burrow.test")
        guard case .failed(let reason, let retryAt) = await manager.status(of: "down.burrow.test") else {
            Issue.record("expected a failure"); await pebble.stop(); return
        }
        #expect(reason.contains("authorization invalid"))
        #expect(retryAt.timeIntervalSinceNow > 50)
        #expect(manager.serving("down.burrow.test") == nil)
        // Registering again inside the back-off asks nothing.
        await manager.nameRegistered("down.burrow.test")
        await manager.settle("down.burrow.test")
        guard case .failed(_, let again) = await manager.status(of: "down.burrow.test") else { Issue.record("status changed"); await pebble.stop(); return }
        #expect(again == retryAt)
        await pebble.stop()
    }

    /// Strangers registering names (a relay open to any key) cannot make the
    /// relay spend its ACME rate limits: first certificates are capped per hour.
    @Test func newACMEOrdersAreCappedPerHour() async throws {
        let dir = try LocalCertificateAuthorityTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let setup = try await ACMESetup()
        let (responder, pebble) = (setup.responder, setup.pebble)
        let manager = CertificateManager(source: .acme(setup.issuer), stateDirectory: dir, newOrdersPerHour: 2)
        for name in ["a.burrow.test", "b.burrow.test", "c.burrow.test"] {
            await manager.nameRegistered(name)
            await manager.settle(name)
        }
        #expect(manager.serving("a.burrow.test") != nil && manager.serving("b.burrow.test") != nil, "\(pebble.log)")
        #expect(manager.serving("c.burrow.test") == nil)
        guard case .failed(let reason, let retryAt) = await manager.status(of: "c.burrow.test") else {
            Issue.record("the third name was not refused"); await pebble.stop(); return
        }
        #expect(reason.contains("at most 2 new certificates per hour"))
        #expect(retryAt.timeIntervalSinceNow > 3000)
        await pebble.stop()
        try? await responder.close()
    }

    @Test func filePairsReloadAndABadFileKeepsTheOldPair() async throws {
        let dir = try LocalCertificateAuthorityTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let openssl = try SpawnedProcess.which("openssl")
        func makeWildcard(_ serial: String) throws {
            let made = try SpawnedProcess.run(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", dir + "/new.key", "-out", dir + "/new.pem", "-days", "3", "-subj", "/CN=*.burrow.test", "-set_serial", serial,
                "-addext", "subjectAltName=DNS:*.burrow.test,DNS:burrow.test"])
            #expect(made.status == 0, "\(made.stderr)")
            // Renewal tools rename new files into place.
            #expect(rename(dir + "/new.key", dir + "/tls.key") == 0 && rename(dir + "/new.pem", dir + "/tls.pem") == 0)
        }
        try makeWildcard("1001")
        let manager = CertificateManager(source: .files(chainPath: dir + "/tls.pem", keyPath: dir + "/tls.key"), stateDirectory: dir + "/state")
        await manager.nameRegistered("web.burrow.test")
        let first = try #require(manager.serving("web.burrow.test"))
        #expect(manager.serving("api.burrow.test") != nil)
        #expect(manager.serving("a.b.burrow.test") == nil)  // one label only
        #expect(manager.serving("other.test") == nil)
        #expect(try await TLSProbe.serial(first, name: "web.burrow.test", caFile: dir + "/tls.pem") == "03E9")

        try makeWildcard("1002")
        await manager.tick()
        let second = try #require(manager.serving("web.burrow.test"))
        #expect(try await TLSProbe.serial(second, name: "web.burrow.test", caFile: dir + "/tls.pem") == "03EA")

        // A half-written renewal: the key is garbage. The pair in use stays.
        try "not a key\n".write(toFile: dir + "/tls.key", atomically: true, encoding: .utf8)
        await manager.tick()
        #expect(manager.serving("web.burrow.test")?.issued == second.issued)
        guard case .failed(let reason, _) = await manager.status(of: dir + "/tls.pem") else { Issue.record("no failure reported"); return }
        #expect(reason.contains("tls.key: not a PEM private key") && reason.contains("still serving the previous certificate"))
    }
}

/// pebble, an HTTP-01 responder for it, and an issuer using them: what the
/// ACME tests of the manager start with.
struct ACMESetup {
    let board = ACMEChallengeBoard()
    let responder: Channel
    let pebble: Pebble
    let issuer: ACMEIssuer

    init(accountKey: ACMEAccountKey = ACMEAccountKey(), certificateValiditySeconds: Int? = nil) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        responder = try await HTTP01Responder.start(group: group, board: board)
        pebble = try await Pebble(
            httpPort: responder.localAddress!.port!, tlsPort: try FreePorts.take(1)[0], certificateValiditySeconds: certificateValiditySeconds)
        issuer = ACMEIssuer(
            directoryURL: pebble.directoryURL, contactEmail: nil, accountKey: accountKey, challengeType: .http01,
            client: ACMEHTTPClient(group: group, trustedCAFile: pebble.wfeCAFile), board: board)
    }

    func stop() async {
        await pebble.stop()
        try? await responder.close()
    }
}

/// A one-shot TLS server on loopback presenting a `ServingCertificate`, and
/// curl asking it for `/` by name: the certificate as a visitor would meet it.
enum TLSProbe {
    static func curl(_ serving: ServingCertificate, name: String, caFile: String) async throws -> String {
        try await with(serving) { port in
            let result = try await SpawnedProcess.run("/usr/bin/curl", ["-sS", "--max-time", "60", "--cacert", caFile, "--resolve", "\(name):\(port):127.0.0.1", "https://\(name):\(port)/"], timeout: .seconds(90))
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout
        }
    }

    /// The serial number of the certificate the server presents (hex, as openssl prints it).
    static func serial(_ serving: ServingCertificate, name: String, caFile: String) async throws -> String {
        try await with(serving) { port in
            let script = "echo | openssl s_client -connect 127.0.0.1:\(port) -servername \(name) 2>/dev/null | openssl x509 -noout -serial"
            let result = try await SpawnedProcess.run("/bin/sh", ["-c", script], timeout: .seconds(90))
            return result.stdout.replacingOccurrences(of: "serial=", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    static func with<T>(_ serving: ServingCertificate, _ body: (Int) async throws -> T) async throws -> T {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: serving.context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Hello())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            let value = try await body(server.localAddress!.port!)
            try? await server.close()
            return value
        } catch {
            try? await server.close()
            throw error
        }
    }

    final class Hello: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            let body = ByteBuffer(string: "hello over tls\n")
            var head = HTTPResponseHead(version: .http1_1, status: .ok)
            head.headers.add(name: "Content-Length", value: String(body.readableBytes))
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
