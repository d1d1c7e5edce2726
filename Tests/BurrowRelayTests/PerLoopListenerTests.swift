import BurrowConfig
import BurrowRelay
import BurrowTestSupport
import Foundation
import NIOCore
import Testing

/// The HTTP port (and the TLS port) listens on every event loop
/// (`SO_REUSEPORT`): a visitor is served on the loop that accepted it, with
/// no hop to another thread before its first byte. The port still belongs to
/// one relay: a second one started on it fails, as with a single listener.
@Suite("HTTP and TLS ports: a listener per event loop", .spawnsProcesses, .timeLimit(.minutes(10)))
struct PerLoopListenerTests {
    /// Listening TCP sockets on `port` (IPv4 and IPv6), from /proc/net.
    ///
    /// Read to the end with `FileHandle`: `String(contentsOfFile:)` takes a
    /// /proc file's size (0) as a hint and returns only its first read, about
    /// 4 KB or 27 sockets, so with the other suites' sockets open in parallel
    /// this relay's listeners could be past it and counted as none.
    static func listeners(on port: Int) -> Int {
        let hexPort = String(format: "%04X", port)
        var count = 0
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let file = FileHandle(forReadingAtPath: table) else { continue }
            defer { try? file.close() }
            guard let data = try? file.readToEnd(), let text = String(data: data, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                // local_address is ADDR:PORT; state 0A = LISTEN.
                guard fields.count > 3, fields[1].hasSuffix(":" + hexPort), fields[3] == "0A" else { continue }
                count += 1
            }
        }
        return count
    }

    @Test("one listening socket per event loop on the HTTP port, and visitors are served through them")
    func oneListenerPerLoop() async throws {
        try await RelayTest.run { test in
            #expect(Self.listeners(on: test.relay.httpPort) == System.coreCount)
            let root = test.kit.directory + "/site"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try "hello per loop\n".write(toFile: root + "/index.html", atomically: true, encoding: .utf8)
            let local = try await test.kit.startHTTPServer(root: root)
            let base = try await test.served("perloop", by: local)
            // New connections land on every listener; each one is answered.
            for _ in 0..<20 {
                let answer = try await test.kit.curl(base + "/")
                #expect(answer.status == 200)
                #expect(answer.body == "hello per loop\n")
            }
        }
    }

    /// Starts a second relay (state of its own) with `configure` applied; it must fail, naming `port`.
    static func expectSecondRelayFails(naming port: String, _ configure: (inout RelayConfiguration) -> Void) async throws {
        let other = try RelayTestKit()
        defer { other.cleanUp() }
        var configuration = other.relayConfiguration()
        configure(&configuration)
        let second = Relay(configuration: configuration)
        do {
            _ = try await second.start()
            await second.shutdown(drainTimeout: .zero)
            Issue.record("a second relay started on the \(port) port")
        } catch {
            #expect("\(error)".contains(port), "\(error)")
        }
    }

    @Test("a second relay on the same HTTP port fails to start instead of sharing it")
    func secondRelayOnThePortFails() async throws {
        try await RelayTest.run { test in
            try await Self.expectSecondRelayFails(naming: "HTTP") { $0.httpPort = test.relay.httpPort }
            #expect(Self.listeners(on: test.relay.httpPort) == System.coreCount)
        }
    }

    @Test("the TLS port also listens once per event loop; a second relay on it fails")
    func tlsPortPerLoop() async throws {
        try await RelayTest.run(configure: { $0.tlsPort = 0 }) { test in
            let tlsPort = try #require(test.relay.tlsPort)
            #expect(Self.listeners(on: tlsPort) == System.coreCount)
            try await Self.expectSecondRelayFails(naming: "TLS") { $0.tlsPort = tlsPort }
        }
    }
}
