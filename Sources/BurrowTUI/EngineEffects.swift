import BurrowCore
import Foundation
import TerminalUI

/// The effects that talk to the engine (the inspector's fetch and replay,
/// which answer later through the mailbox) and the `$EDITOR` round trip;
/// every other effect goes to `next` (the store's).
public struct EngineEffects: EffectPerforming {
    public let engine: any TunnelEngine
    public let mailbox: Mailbox
    public let next: any EffectPerforming
    public let environment: [String: String]
    /// Where the request text for `$EDITOR` is written (and removed after).
    public let temporaryDirectory: String

    public init(engine: any TunnelEngine, mailbox: Mailbox, next: any EffectPerforming,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                temporaryDirectory: String = NSTemporaryDirectory()) {
        self.engine = engine
        self.mailbox = mailbox
        self.next = next
        self.environment = environment
        self.temporaryDirectory = temporaryDirectory
    }

    public func perform(_ effect: Effect, screen: Screen) -> [Action] {
        let engine = self.engine
        let mailbox = self.mailbox
        switch effect {
        case .fetchExchange(let id):
            Task {
                do {
                    mailbox.post(.exchangeLoaded(try await engine.exchange(id: id)))
                } catch {
                    mailbox.post(.exchangeFailed(id: id, Self.message(error)))
                }
            }
            return []
        case .replay(let id, let edited, let confirmed):
            Task {
                do {
                    mailbox.post(.replayed(of: id, try await engine.replay(id: id, edited: edited, confirmed: confirmed)))
                } catch {
                    mailbox.post(.replayFailed(of: id, Self.message(error)))
                }
            }
            return []
        case .editRequest(let exchange):
            return edit(exchange, screen: screen)
        default:
            return next.perform(effect, screen: screen)
        }
    }

    static func message(_ error: any Error) -> String {
        (error as? InspectorError)?.description ?? String(describing: error)
    }

    /// Writes the request as text, lets the person edit it, reads it back.
    func edit(_ exchange: HTTPExchange, screen: Screen) -> [Action] {
        let id = exchange.id
        let text = RequestText.format(exchange)
        let directory = temporaryDirectory.hasSuffix("/") ? String(temporaryDirectory.dropLast()) : temporaryDirectory
        let path = "\(directory)/burrow-request-\(id)-\(UUID().uuidString.prefix(8)).http"
        // 0600: the text holds the request's credentials in clear.
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            return [.replayFailed(of: id, "cannot write the request to \(path): is \(directory) writable?")]
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let editor = ExternalEditor.command(environment: environment)
        var outcome = ExternalEditor.Outcome.exited(0)
        screen.releaseTerminal { outcome = ExternalEditor.edit(path, environment: environment) }
        // The editor drew over everything: repaint it all.
        let repaint = Action.input(.resize(screen.size))
        switch outcome {
        case .exited(0):
            break
        case .exited(let code):
            return [repaint, .replayFailed(of: id, "replay cancelled: the editor (\(editor)) exited with status \(code)")]
        case .signalled(let signal):
            return [repaint, .replayFailed(of: id, "replay cancelled: the editor (\(editor)) was stopped by signal \(signal)")]
        case .cannotStart(let code):
            return [repaint, .replayFailed(of: id, "cannot start the editor '\(editor)': \(String(cString: strerror(code))); set EDITOR")]
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return [repaint, .replayFailed(of: id, "replay cancelled: the editor removed \(path)")]
        }
        let edited = String(decoding: data, as: UTF8.self)
        if edited == text {
            return [repaint, .replayFailed(of: id, "replay cancelled: the request was not changed (r replays it as recorded)")]
        }
        do {
            return [repaint, .requestEdited(id: id, try RequestText.parse(edited))]
        } catch {
            return [repaint, .replayFailed(of: id, error.description)]
        }
    }
}
