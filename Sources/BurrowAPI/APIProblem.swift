import BurrowConfig
import BurrowCore

/// A refused request: the status and the JSON body `{"error":…,"field":…}`.
struct APIProblem: Error, Sendable, Encodable {
    var status: Int
    var error: String
    var field: String?

    private enum CodingKeys: String, CodingKey { case error, field }

    init(_ status: Int, _ error: String, field: String? = nil) {
        self.status = status
        self.error = error
        self.field = field
    }

    static func notFound(_ path: String) -> APIProblem {
        APIProblem(404, "no such endpoint: \(path) (see `burrow status`; the API lives under \(EngineAPI.pathPrefix))")
    }

    static func methodNotAllowed(_ method: String, _ path: String, allowed: [String]) -> APIProblem {
        APIProblem(405, "\(method) is not allowed on \(path): use \(allowed.joined(separator: " or "))")
    }

    /// How `JSONRequestObject` names a request body in its errors.
    static let body = "request body"

    /// A configuration change refused by `ConfigStore`, or a body that does not parse.
    init(_ config: ConfigError) {
        switch config {
        case .syntax(let file, let line, let column, let message) where file == APIProblem.body:
            self.init(400, "\(file):\(line):\(column): \(message)")
        case .unknownField(let at, let field) where at.hasPrefix(APIProblem.body):
            self.init(400, "\(at): unknown field '\(field)'", field: field)
        case .invalidField(let at, let field, let message) where at.hasPrefix(APIProblem.body):
            self.init(400, "\(at): \(message)", field: field)
        case .syntax, .unknownField, .invalidField:
            // config.json or mappings.json on disk does not read: nothing is changed until it is fixed.
            self.init(409, config.description)
        case .invalidValue(let core):
            self.init(400, core.description, field: APIProblem.field(of: core))
        case .invalidCombination(let message):
            self.init(400, message, field: message.contains("remote-port") ? "remotePort" : nil)
        case .nameTaken:
            self.init(409, config.description, field: "name")
        case .notFound(let kind, _, _):
            self.init(kind == "profile" ? 400 : 404, config.description, field: kind == "profile" ? "profile" : nil)
        case .profileInUse:
            self.init(409, config.description)
        case .io, .invalidKey, .encryptedKey:
            self.init(500, config.description)
        }
    }

    /// Which request field a value error is about.
    static func field(of error: CoreError) -> String? {
        switch error {
        case .invalidName: return "name"
        case .invalidPort, .invalidLocalAddress: return "local"
        case .unknownProtocol: return "protocol"
        case .invalidCIDR: return "allow"
        case .invalidBasicAuth: return "basicAuth"
        case .invalidProxyProtocol: return "proxyProtocol"
        default: return nil
        }
    }

    init(_ inspector: InspectorError) {
        switch inspector {
        case .noSuchExchange, .noSuchMapping: self.init(404, inspector.description)
        case .needsConfirmation: self.init(409, inspector.description, field: "confirm")
        case .notReplayable: self.init(422, inspector.description)
        case .localServiceFailed: self.init(502, inspector.description)
        }
    }
}
