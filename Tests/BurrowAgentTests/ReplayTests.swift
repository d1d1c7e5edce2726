import BurrowAgent
import BurrowConfig
import BurrowCore
import BurrowTestSupport
import Foundation
import Testing

/// Issue 14 part 3: replaying a recorded request straight to the mapping's
/// local service, checked against a real service that counts what reaches it.
@Suite(.spawnsProcesses) struct ReplayTests {
    @Test(.timeLimit(.minutes(10)))
    func aGETReplayReachesTheServiceOnceAndIsListedAsANewExchange() async throws {
        try await CountingEchoServer.behindAgent({ [.http("web", $0)] }) { agent, service in
            let url = try await agent.watcher.online("web")
            #expect(try await Tools.curl(["-H", "X-Trace: abc", "\(url)/page?x=1"]).status == 0)
            let original = try await Inspect.only(agent, "web") { $0.target == "/page?x=1" }
            #expect(try await service.count() == 1)

            let replayed = try await agent.engine.replay(id: original.id, edited: nil, confirmed: false)
            #expect(try await service.count() == 2)
            #expect(replayed.replayOf == original.id)
            #expect(replayed.id > original.id)
            #expect(replayed.mapping == "web")
            #expect(replayed.method == "GET")
            #expect(replayed.target == "/page?x=1")
            #expect(replayed.status == 200)
            #expect(replayed.reason == "OK")
            #expect(replayed.answeredBy == .localService)
            #expect(replayed.responseHeaders.contains { $0.name == "X-Request-Number" && $0.value == "2" })
            #expect(replayed.requestHeaders.contains { $0.name == "X-Trace" && $0.value == "abc" })
            #expect(replayed.totalMs != nil)
            // Listed with the others, newest first, and in the snapshot's request list.
            let listed = try await agent.engine.exchanges(mapping: "web", limit: 10)
            #expect(listed.map(\.id) == [replayed.id, original.id])
            #expect(listed.first == replayed)
            #expect(try await agent.engine.exchange(id: replayed.id) == replayed)
            #expect(await agent.mapping("web")?.recentRequests.first?.id == replayed.id)
            // A replay of the replay works too.
            let again = try await agent.engine.replay(id: replayed.id, edited: nil, confirmed: false)
            #expect(again.replayOf == replayed.id)
            #expect(try await service.count() == 3)
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aPOSTNeedsConfirmationAndAnEditedReplaySendsTheEditedRequest() async throws {
        try await CountingEchoServer.behindAgent({ [.http("web", $0)] }) { agent, service in
            let url = try await agent.watcher.online("web")
            #expect(try await Tools.curl(["--data-binary", "original body", "\(url)/form"]).output == "original body")
            let post = try await Inspect.only(agent, "web") { $0.target == "/form" }

            await #expect(throws: InspectorError.needsConfirmation(method: "POST")) {
                try await agent.engine.replay(id: post.id, edited: nil, confirmed: false)
            }
            #expect(try await service.count() == 1, "an unconfirmed POST never reaches the service")

            let confirmed = try await agent.engine.replay(id: post.id, edited: nil, confirmed: true)
            #expect(try await service.count() == 2)
            #expect(confirmed.responseBody == Array("original body".utf8), "the same body reached the service")
            #expect(confirmed.requestBody == Array("original body".utf8))
            #expect(confirmed.requestBodyBytes == 13)
            #expect(confirmed.replayOf == post.id)

            // Edited: another method, target, field and a longer body (Content-Length follows it).
            var headers = post.requestHeaders.filter { $0.name.lowercased() != "content-type" }
            headers.append(HTTPHeaderField(name: "Content-Length", value: "3"))
            headers.append(HTTPHeaderField(name: "X-Edited", value: "yes"))
            let edited = HTTPReplayRequest(method: "PATCH", target: "/form/edited", headers: headers, body: Array("an edited, longer body".utf8))
            await #expect(throws: InspectorError.needsConfirmation(method: "PATCH")) {
                try await agent.engine.replay(id: post.id, edited: edited, confirmed: false)
            }
            let sent = try await agent.engine.replay(id: post.id, edited: edited, confirmed: true)
            #expect(try await service.count() == 3)
            #expect(sent.method == "PATCH")
            #expect(sent.target == "/form/edited")
            #expect(sent.responseBody == Array("an edited, longer body".utf8))
            #expect(sent.requestHeaders.contains { $0.name == "X-Edited" })
            #expect(!sent.requestHeaders.contains { $0.name == "Content-Length" }, "framing is the encoder's, not kept from the edit")

            // A chunked original is replayed with a Content-Length and the same (de-chunked) body.
            #expect(try await Tools.curl(["-X", "PUT", "-H", "Transfer-Encoding: chunked", "--data-binary", "chunked once", "\(url)/put"]).status == 0)
            let put = try await Inspect.only(agent, "web") { $0.target == "/put" && $0.replayOf == nil }
            let replayedPut = try await agent.engine.replay(id: put.id, edited: nil, confirmed: false)  // PUT is idempotent
            #expect(replayedPut.responseBody == Array("chunked once".utf8))
            #expect(try await service.count() == 5)

            // A request line or field that could smuggle a second request is refused before anything is sent.
            let smuggling = HTTPReplayRequest(method: "GET", target: "/ HTTP/1.1\r\nX: y", headers: [], body: [])
            await #expect(throws: InspectorError.self) { try await agent.engine.replay(id: post.id, edited: smuggling, confirmed: true) }
            let badField = HTTPReplayRequest(method: "GET", target: "/", headers: [HTTPHeaderField(name: "X", value: "a\r\nGET /evil HTTP/1.1")], body: [])
            await #expect(throws: InspectorError.self) { try await agent.engine.replay(id: post.id, edited: badField, confirmed: true) }
            #expect(try await service.count() == 5)
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aTruncatedBodyUnknownIdsAndADownServiceAreRefusedWithReasons() async throws {
        let service = try await CountingEchoServer()
        var serviceStopped = false
        defer { if !serviceStopped { service.stop() } }
        let relay = try await RelayFixture.start()
        try await relay.withAgent(mappings: [.http("web", service.port)]) { agent in
            let url = try await agent.watcher.online("web")
            let big = agent.directory.file("big.bin")
            try Data(repeating: 0x61, count: 80 << 10).write(to: URL(fileURLWithPath: big))
            #expect(try await Tools.curl(["-o", "/dev/null", "-X", "PUT", "--data-binary", "@\(big)", "\(url)/big"]).status == 0)
            let large = try await Inspect.only(agent, "web") { $0.target == "/big" }
            #expect(large.requestBodyTruncated)
            await #expect(throws: InspectorError.self) { try await agent.engine.replay(id: large.id, edited: nil, confirmed: true) }
            do {
                _ = try await agent.engine.replay(id: large.id, edited: nil, confirmed: true)
            } catch let error as InspectorError {
                guard case .notReplayable = error else { throw error }
            }
            #expect(try await service.count() == 1)
            // Edited, it goes.
            let edited = HTTPReplayRequest(method: "PUT", target: "/big", headers: large.requestHeaders, body: Array("small now".utf8))
            #expect(try await agent.engine.replay(id: large.id, edited: edited, confirmed: false).responseBody == Array("small now".utf8))
            #expect(try await service.count() == 2)

            await #expect(throws: InspectorError.noSuchExchange(424_242)) {
                try await agent.engine.replay(id: 424_242, edited: nil, confirmed: true)
            }

            // The service goes away: the replay fails with the reason, nothing is recorded.
            #expect(try await Tools.curl(["\(url)/before-stop"]).status == 0)
            let get = try await Inspect.only(agent, "web") { $0.target == "/before-stop" }
            service.stop()
            serviceStopped = true
            let before = try await agent.engine.exchanges(mapping: "web", limit: 1000).count
            do {
                _ = try await agent.engine.replay(id: get.id, edited: nil, confirmed: false)
                Issue.record("a replay to a stopped service succeeded")
            } catch let error as InspectorError {
                guard case .localServiceFailed(let reason) = error else { throw error }
                #expect(reason.contains("connection refused"), "\(reason)")
            }
            #expect(try await agent.engine.exchanges(mapping: "web", limit: 1000).count == before)
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aRelayRefusalIsRecordedAnsweredByTheRelayAndCanBeReplayed() async throws {
        let auth = try BasicAuthRule.hashing(user: "alice", password: "s3:cret")
        try await CountingEchoServer.behindAgent({ [Mapping(name: "private", protocol: .http, local: LocalAddress(port: $0), basicAuth: auth)] }) { agent, service in
            let url = try await agent.watcher.online("private")
            let refused = try await Tools.curl(["-o", "/dev/null", "-w", "%{http_code}", "\(url)/secret?x=1"])
            #expect(refused.output == "401")
            let exchange = try await Inspect.only(agent, "private") { $0.target == "/secret?x=1" }
            #expect(exchange.status == 401)
            #expect(exchange.reason == "Unauthorized")
            #expect(exchange.answeredBy == .relay)
            #expect(exchange.method == "GET")
            #expect(exchange.visitor?.hasPrefix("127.0.0.1:") == true)
            #expect(await agent.mapping("private")?.recentRequests.first?.id == exchange.id)
            #expect(try await service.count() == 0)

            // It never reached the service; replaying sends it there (the relay's check is not the service's).
            let replayed = try await agent.engine.replay(id: exchange.id, edited: nil, confirmed: false)
            #expect(replayed.status == 200)
            #expect(replayed.replayOf == exchange.id)
            #expect(try await service.count() == 1)
        }
    }
}
