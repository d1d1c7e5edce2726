import BurrowConfig
import BurrowCore
import Foundation

/// What the router answers: a whole JSON body, or a stream of events.
enum APIResponse: Sendable {
    case json(status: Int, body: [UInt8])
    /// `GET /events`: one line (or server-sent event) per `EngineEvent`, until the engine stops.
    case events(AsyncStream<EngineEvent>, serverSent: Bool)

    static func ok<T: Encodable>(_ value: T, status: Int = 200) -> APIResponse {
        .json(status: status, body: JSONOutput.encode(value))
    }

    static func problem(_ problem: APIProblem) -> APIResponse {
        .json(status: problem.status, body: JSONOutput.encode(problem))
    }
}
