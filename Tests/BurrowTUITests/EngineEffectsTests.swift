import BurrowCore
import BurrowTUI
import Foundation
import Synchronization
import Testing
import TerminalUI

/// The inspector's effects against an engine: answers arrive through the
/// mailbox; `R` writes the request for `$EDITOR` (here a sed script) and
/// reads it back, sending nothing when it does not parse.
@Suite struct EngineEffectsTests {
    /// An engine that knows some exchanges and records replays.
    final class FakeEngine: TunnelEngine {
        let exchanges: [UInt64: HTTPExchange]
        let replays = Mutex<[(UInt64, HTTPReplayRequest?, Bool)]>([])

        init(_ exchanges: [HTTPExchange]) {
            self.exchanges = Dictionary(uniqueKeysWithValues: exchanges.map { ($0.id, $0) })
        }

        func snapshot() async throws -> EngineSnapshot { Fixtures.snapshot }
        func events() -> AsyncStream<EngineEvent> { AsyncStream { $0.finish() } }
        func exchanges(mapping: String?, limit: Int) async throws -> [HTTPExchange] { Array(exchanges.values) }

        func exchange(id: UInt64) async throws -> HTTPExchange {
            guard let exchange = exchanges[id] else { throw InspectorError.noSuchExchange(id) }
            return exchange
        }

        func replay(id: UInt64, edited: HTTPReplayRequest?, confirmed: Bool) async throws -> HTTPExchange {
            guard var exchange = exchanges[id] else { throw InspectorError.noSuchExchange(id) }
            if !exchange.isIdempotent, !confirmed { throw InspectorError.needsConfirmation(method: exchange.method) }
            replays.withLock { $0.append((id, edited, confirmed)) }
            exchange.replayOf = id
            exchange.id = 99
            return exchange
        }
    }

    /// Effects that only record what reached them.
    struct Recorder: EffectPerforming {
        func perform(_ effect: Effect, screen: Screen) -> [Action] { [.log("next: \(effect)", .info)] }
    }

    static func effects(_ engine: FakeEngine, mailbox: Mailbox, editor: String = "true") -> EngineEffects {
        EngineEffects(engine: engine, mailbox: mailbox, next: Recorder(),
                      environment: ["EDITOR": editor, "PATH": "/usr/bin:/bin"], temporaryDirectory: NSTemporaryDirectory())
    }

    /// The mailbox's actions once some arrived (the engine answers on another task).
    static func answers(_ mailbox: Mailbox) async -> [Action] {
        for _ in 0..<200 {
            let actions = mailbox.drain()
            if !actions.isEmpty { return actions }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return []
    }

    @Test func fetchAndReplayAnswerThroughTheMailbox() async {
        let engine = FakeEngine([InspectorFixtures.login])
        let mailbox = Mailbox()
        let effects = Self.effects(engine, mailbox: mailbox)
        let screen = FakeScreen()
        #expect(effects.perform(.fetchExchange(42), screen: screen) == [])
        #expect(await Self.answers(mailbox) == [.exchangeLoaded(InspectorFixtures.login)])
        _ = effects.perform(.fetchExchange(7), screen: screen)
        #expect(await Self.answers(mailbox) == [.exchangeFailed(id: 7, "no request with id 7 (see `burrow requests`)")])
        _ = effects.perform(.replay(42, edited: nil, confirmed: false), screen: screen)
        #expect(await Self.answers(mailbox) == [.replayFailed(of: 42, "POST is not idempotent: confirm the replay (--yes)")])
        _ = effects.perform(.replay(42, edited: nil, confirmed: true), screen: screen)
        let answer = await Self.answers(mailbox)
        guard case .replayed(of: 42, let exchange) = answer.first else {
            Issue.record("no replay: \(answer)")
            return
        }
        #expect(exchange.replayOf == 42 && exchange.id == 99)
        // The rest goes on to the store's effects.
        #expect(effects.perform(.copy("x"), screen: screen) == [.log("next: copy(\"x\")", .info)])
    }

    @Test func theEditorsTextIsReadBack() {
        let screen = FakeScreen()
        let edited = Self.effects(FakeEngine([]), mailbox: Mailbox(), editor: "sed -i -e s/ann/bob/ -e s/POST/PUT/")
            .perform(.editRequest(InspectorFixtures.login), screen: screen)
        #expect(screen.releases == 1, "the editor gets the terminal")
        var login = InspectorFixtures.login
        login.requestBody = Array(#"{"user":"bob","roles":["admin","dev"],"prefs":{},"n":1.5}"#.utf8)
        let expected = HTTPReplayRequest(method: "PUT", target: "/api/login",
                                         headers: login.requestHeaders.filter { $0.name != "Content-Length" }, body: login.requestBody)
        #expect(edited == [.input(.resize(screen.size)), .requestEdited(id: 42, expected)])
        // Nothing left behind in the temp dir (the text has credentials in it).
        let left = (try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []
        #expect(!left.contains { $0.hasPrefix("burrow-request-42-") })
    }

    @Test func aCancelledOrBrokenEditSendsNothing() {
        let screen = FakeScreen()
        func run(_ editor: String) -> [Action] {
            Self.effects(FakeEngine([]), mailbox: Mailbox(), editor: editor).perform(.editRequest(InspectorFixtures.page), screen: screen)
        }
        #expect(run("true").last == .replayFailed(of: 43, "replay cancelled: the request was not changed (r replays it as recorded)"))
        #expect(run("false").last == .replayFailed(of: 43, "replay cancelled: the editor (false) exited with status 1"))
        #expect(run("sed -i 1s/.*/NONSENSE/").last
                == .replayFailed(of: 43, "line 1: 'NONSENSE' is not a request line: write METHOD TARGET HTTP/1.1, e.g. GET /path HTTP/1.1; nothing was sent"))
        guard case .replayFailed(of: 43, let message) = run("sed -i 2s/:/=/").last else {
            Issue.record("a broken header was accepted")
            return
        }
        #expect(message.hasPrefix("line 2: 'Host="), "\(message)")
    }
}
