import BurrowTestSupport
import BurrowAgent
import BurrowCore
import Foundation
import Testing

/// An HTTP mapping end to end, in process: relay + engine + a python3 local
/// service, visited with curl at http://NAME.localhost:PORT.
@Suite(.spawnsProcesses, .serialized) struct HTTPMappingTests {
    @Test(.timeLimit(.minutes(10)))
    func servesDownloadUploadAndConcurrentVisitors() async throws {
        let size = 20 << 20
        let local = try await LocalHTTPServer(bigBytes: size)
        defer { local.stop() }
        let relay = try await RelayFixture.start()
        try await relay.withAgent(mappings: [.http("web", local.port)]) { agent in
            let url = try await agent.watcher.online("web")
            #expect(url.description == "http://web.localhost:\(relay.endpoints.httpPort)")

            // A plain page.
            let page = try await Tools.curl(["\(url)/"])
            #expect(page.status == 0)
            #expect(page.output == "hello from the local service\n")

            // 20 MB down: same bytes.
            let downloaded = agent.directory.file("down.bin")
            let down = try await Tools.curl(["-o", downloaded, "\(url)/big"])
            #expect(down.status == 0, "\(down.output)")
            #expect(try await Tools.sha256(downloaded) == Tools.sha256(local.bigFile))

            // 20 MB up: the service hashes what it received.
            let up = try await Tools.curl(["--data-binary", "@\(local.bigFile)", "-H", "Content-Type: application/octet-stream", "\(url)/upload"])
            #expect(up.status == 0)
            #expect(up.output == (try await Tools.sha256(local.bigFile)))

            // The HTTP tap saw both requests, their status and body sizes.
            let requests = try #require(await agent.mapping("web")).recentRequests
            let big = requests.first { $0.path == "/big" }
            #expect(big?.method == "GET")
            #expect(big?.status == 200)
            #expect(big?.responseBytes == UInt64(size))
            let upload = requests.first { $0.path == "/upload" }
            #expect(upload?.method == "POST")
            #expect(upload?.status == 200)
            #expect(upload?.responseBytes == 64)

            // 50 visitors at once, each with its own body.
            var arguments = ["--parallel", "--parallel-immediate", "--parallel-max", "50"]
            for index in 0..<50 {
                arguments += ["-o", agent.directory.file("visitor-\(index)"), "\(url)/echo/visitor-\(index)"]
            }
            let parallel = try await Tools.curl(arguments)
            #expect(parallel.status == 0, "\(parallel.output)")
            for index in 0..<50 {
                let body = try String(contentsOfFile: agent.directory.file("visitor-\(index)"), encoding: .utf8)
                #expect(body == String(repeating: "visitor-\(index)\n", count: 100), "visitor \(index)")
            }

            // The snapshot counted it all.
            try await Task.sleep(for: .milliseconds(300))
            let snapshot = try #require(await agent.mapping("web"))
            #expect(snapshot.state == .online)
            #expect(snapshot.totalVisitors >= 53)
            #expect(snapshot.openVisitors <= 3)  // curl keeps nothing open; the relay may still be closing some
            #expect(snapshot.bytesIn > UInt64(size))
            #expect(snapshot.bytesOut > UInt64(size))
            #expect(snapshot.durationP50Ms != nil)
            #expect(snapshot.recentVisitors.count == 50)
            #expect(snapshot.recentVisitors.allSatisfy { $0.address.hasPrefix("127.0.0.1:") })
            #expect(snapshot.recentRequests.count == 50)
            #expect(Set(snapshot.recentRequests.map(\.path)) == Set((0..<50).map { "/echo/visitor-\($0)" }))
            #expect(snapshot.recentRequests.allSatisfy { $0.status == 200 && $0.responseBytes != nil })
            let tunnel = try #require(await agent.engine.snapshot().tunnels.first)
            #expect(tunnel.state == .online)
            #expect(tunnel.profile == EngineSnapshot.embeddedTunnel)
            #expect(tunnel.domain == "localhost")
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func localServiceDownGives502AndAnErrorEvent() async throws {
        let relay = try await RelayFixture.start()
        let deadPort = try Ports.free()
        try await relay.withAgent(mappings: [.http("down", deadPort)]) { agent in
            let url = try await agent.watcher.online("down")
            let reply = try await Tools.curl(["-i", "\(url)/"])
            #expect(reply.output.hasPrefix("HTTP/1.1 502 Bad Gateway"), "\(reply.output)")
            #expect(reply.output.contains("local service on 127.0.0.1:\(deadPort) refused"))
            try await agent.watcher.error(.mapping("down"), containing: "127.0.0.1:\(deadPort)")
        }
    }
}
