import BurrowAgent
import BurrowConfig
import BurrowCore
import BurrowTestSupport
import Foundation
import Testing

/// Issue 14 part 3: the agent's request inspector end to end — a real relay
/// and engine in process, a real local service that counts and echoes, and
/// curl as the visitor.
@Suite(.spawnsProcesses) struct InspectorTests {
    @Test(.timeLimit(.minutes(10)))
    func headsAndBodiesAreRecordedDechunkedAndTruncatedAt64KiB() async throws {
        try await CountingEchoServer.behindAgent({ [.http("web", $0), .tcp("raw", $0)] }) { agent, service in
            let url = try await agent.watcher.online("web")
            let posted = try await Tools.curl(["-H", "X-Test: one", "-H", "X-Test: two", "--data-binary", "hello inspector", "\(url)/echo?q=1"])
            #expect(posted.output == "hello inspector")

            let post = try await Inspect.only(agent, "web") { $0.target == "/echo?q=1" }
            #expect(post.method == "POST")
            #expect(post.version == "HTTP/1.1")
            #expect(post.mapping == "web")
            #expect(post.visitor?.hasPrefix("127.0.0.1:") == true)
            #expect(post.requestHeaders.filter { $0.name == "X-Test" }.map(\.value) == ["one", "two"])
            #expect(post.requestHeaders.first?.name == "Host")
            #expect(post.requestBody == Array("hello inspector".utf8))
            #expect(post.requestBodyBytes == 15)
            #expect(post.status == 200)
            #expect(post.reason == "OK")
            #expect(post.responseHeaders.contains { $0.name == "X-Request-Number" && $0.value == "1" })
            #expect(post.responseBody == Array("hello inspector".utf8))
            #expect(post.responseBodyBytes == 15)
            #expect(post.answeredBy == .localService)
            #expect(post.replayOf == nil)
            let firstByte = try #require(post.firstByteMs)
            let total = try #require(post.totalMs)
            #expect(firstByte >= 0 && firstByte <= total)
            #expect(try await agent.engine.exchange(id: post.id) == post)
            // The snapshot's request list names the exchange, so the TUI can open it.
            #expect(await agent.mapping("web")?.recentRequests.first?.id == post.id)

            // A chunked upload is kept de-chunked.
            let chunkedBody = String(repeating: "chunky ", count: 300)
            try chunkedBody.write(toFile: agent.directory.file("chunked.txt"), atomically: true, encoding: .utf8)
            let chunked = try await Tools.curl(["-H", "Transfer-Encoding: chunked", "--data-binary", "@\(agent.directory.file("chunked.txt"))", "\(url)/chunked"])
            #expect(chunked.output == chunkedBody)
            let dechunked = try await Inspect.only(agent, "web") { $0.target == "/chunked" }
            #expect(dechunked.requestHeaders.contains { $0.name.lowercased() == "transfer-encoding" })
            #expect(dechunked.requestBody == Array(chunkedBody.utf8))
            #expect(dechunked.requestBodyBytes == UInt64(chunkedBody.utf8.count))

            // 100 KiB each way: 64 KiB kept, the full size known.
            let big = agent.directory.file("big.bin")
            try Data((0..<(100 << 10)).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: big))
            let echoed = try await Tools.curl(["-o", agent.directory.file("echoed.bin"), "--data-binary", "@\(big)", "\(url)/big"])
            #expect(echoed.status == 0)
            let large = try await Inspect.only(agent, "web") { $0.target == "/big" }
            let sent = try Data(contentsOf: URL(fileURLWithPath: big))
            #expect(large.requestBodyBytes == 100 << 10)
            #expect(large.requestBody == Array(sent.prefix(HTTPExchange.bodyCaptureLimit)))
            #expect(large.requestBodyTruncated)
            #expect(large.responseBodyBytes == 100 << 10)
            #expect(large.responseBody == Array(sent.prefix(HTTPExchange.bodyCaptureLimit)))
            #expect(large.responseBodyTruncated)

            // Newest first; the errors for what is not there.
            let listed = try await agent.engine.exchanges(mapping: "web", limit: 10)
            #expect(listed.map(\.id) == [large.id, dechunked.id, post.id])
            #expect(try await agent.engine.exchanges(mapping: "web", limit: 2).count == 2)
            await #expect(throws: InspectorError.noSuchMapping("nope")) { try await agent.engine.exchanges(mapping: "nope", limit: 10) }
            await #expect(throws: InspectorError.noSuchMapping("raw")) { try await agent.engine.exchanges(mapping: "raw", limit: 10) }
            await #expect(throws: InspectorError.noSuchExchange(987_654)) { try await agent.engine.exchange(id: 987_654) }
            #expect(try await service.count() == 3)
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func idsAreUniqueAcrossMappingsAndTheMergedListIsNewestFirst() async throws {
        try await CountingEchoServer.behindAgent({ [.http("one", $0), .http("two", $0)] }) { agent, service in
            let first = try await agent.watcher.online("one")
            let second = try await agent.watcher.online("two")
            for index in 0..<4 {
                let url = index.isMultiple(of: 2) ? first : second
                #expect(try await Tools.curl(["\(url)/n/\(index)"]).status == 0)
            }
            let merged = try await agent.engine.exchanges(mapping: nil, limit: 100)
            #expect(merged.map(\.target) == ["/n/3", "/n/2", "/n/1", "/n/0"])
            #expect(merged.map(\.mapping) == ["two", "one", "two", "one"])
            #expect(Set(merged.map(\.id)).count == 4)
            #expect(try await agent.engine.exchanges(mapping: "one", limit: 100).map(\.target) == ["/n/2", "/n/0"])
            #expect(try await agent.engine.exchanges(mapping: nil, limit: 3).map(\.target) == ["/n/3", "/n/2", "/n/1"])
            for exchange in merged { #expect(try await agent.engine.exchange(id: exchange.id).mapping == exchange.mapping) }
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func theLogKeepsTheNewest500AndStaysWithinItsByteBudget() async throws {
        try await CountingEchoServer.behindAgent({ [.http("web", $0)] }) { agent, service in
            let url = try await agent.watcher.online("web")
            // 600 requests on kept-alive connections (curl reuses one per batch).
            for batch in 0..<6 {
                var arguments = ["-o", "/dev/null"]
                for index in (batch * 100)..<((batch + 1) * 100) { arguments += ["\(url)/r/\(index)", "-o", "/dev/null"] }
                #expect(try await Tools.curl(Array(arguments.dropLast(2))).status == 0)
            }
            let kept = try await agent.engine.exchanges(mapping: "web", limit: 1000)
            #expect(kept.count == 500)
            #expect(kept.first?.target == "/r/599")
            #expect(kept.last?.target == "/r/100")
            #expect(try await service.count() == 600)

            // 40 exchanges of 64 KiB each way: the byte budget (1.5 MiB) keeps only the newest few.
            let body = agent.directory.file("body.bin")
            try Data(repeating: 0x42, count: 64 << 10).write(to: URL(fileURLWithPath: body))
            var arguments: [String] = []
            for index in 0..<40 { arguments += ["-o", "/dev/null", "--data-binary", "@\(body)", "\(url)/heavy/\(index)"] }
            #expect(try await Tools.curl(arguments).status == 0)
            let heavy = try await agent.engine.exchanges(mapping: "web", limit: 1000)
            let heavyTargets = heavy.map(\.target).filter { $0.hasPrefix("/heavy/") }
            #expect(heavy.first?.target == "/heavy/39")
            #expect(heavyTargets.count >= 8 && heavyTargets.count < 20, "\(heavyTargets.count) heavy exchanges kept")
            #expect(heavyTargets == (0..<heavyTargets.count).map { "/heavy/\(39 - $0)" })
            #expect(heavy.count == heavyTargets.count, "the small exchanges were evicted first")
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func theAgents502IsRecordedAsAnsweredByTheAgent() async throws {
        let closed = try Ports.free()
        let relay = try await RelayFixture.start()
        try await relay.withAgent(mappings: [.http("down", closed)]) { agent in
            let url = try await agent.watcher.online("down")
            let page = try await Tools.curl(["-o", "/dev/null", "-w", "%{http_code}", "\(url)/gone"])
            #expect(page.output == "502")
            let exchange = try await Inspect.only(agent, "down") { $0.target == "/gone" }
            #expect(exchange.status == 502)
            #expect(exchange.answeredBy == .agent)
            #expect(exchange.responseHeaders.contains { $0.name == "X-Burrow-Error" })
            #expect(String(decoding: exchange.responseBody, as: UTF8.self).contains("502 Bad Gateway"))
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func inspectionOffRecordsNothingButTrafficFlows() async throws {
        let service = try await CountingEchoServer()
        defer { service.stop() }
        let relay = try await RelayFixture.start()
        let directory = try TestDirectory("burrow-agent")
        let store = ConfigStore(directory: directory.path)
        try store.updateMappings { $0.mappings = [.http("quiet", service.port)] }
        var options = EngineOptions()
        options.inspect = false
        options.embeddedRelay = EmbeddedRelayTarget(
            host: "127.0.0.1", sshPort: relay.endpoints.sshPort, httpPort: relay.endpoints.httpPort,
            hostKeyLine: relay.endpoints.hostKeyLine)
        let engine = Engine(store: store, options: options)
        let watcher = EventWatcher(engine.events())
        try await withCleanup {
            await engine.start()
            let url = try await watcher.online("quiet")
            let answer = try await Tools.curl(["--data-binary", "still flowing", "\(url)/off"])
            #expect(answer.output == "still flowing")
            #expect(try await engine.exchanges(mapping: "quiet", limit: 100).isEmpty)
            #expect(try await engine.exchanges(mapping: nil, limit: 100).isEmpty)
            // The snapshot's request list still works, without ids.
            let record = try #require(await engine.snapshot().mappings.first?.recentRequests.first)
            #expect(record.path == "/off")
            #expect(record.status == 200)
            #expect(record.id == 0)
            await #expect(throws: InspectorError.noSuchExchange(1)) { try await engine.replay(id: 1, edited: nil, confirmed: true) }
            #expect(try await service.count() == 1)
        } cleanup: {
            await engine.stop()
            watcher.cancel()
            directory.remove()
            await relay.stop()
        }
    }
}

/// Reading the inspector in tests.
enum Inspect {
    /// The one exchange of `mapping` matching `match`, waited for (bounded: the
    /// relay's refusals arrive on the control channel, a moment after curl's answer).
    static func only(_ agent: AgentFixture, _ mapping: String, timeout: Duration = .seconds(30),
                     _ match: (HTTPExchange) -> Bool) async throws -> HTTPExchange {
        let deadline = ContinuousClock.now + timeout
        var seen: [HTTPExchange] = []
        while ContinuousClock.now < deadline {
            seen = try await agent.engine.exchanges(mapping: mapping, limit: 1000)
            let found = seen.filter(match)
            if found.count == 1, found[0].totalMs != nil { return found[0] }
            if found.count > 1 { throw TestFailure("\(found.count) exchanges match, expected one") }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestFailure("no complete matching exchange within \(timeout); kept: \(seen.map { "\($0.method) \($0.target) \($0.status.map(String.init) ?? "-")" })")
    }
}
