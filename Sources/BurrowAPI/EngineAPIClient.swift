#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BurrowCore
import Foundation
import NIOCore
import NIOHTTP1

/// A running engine, reached through its local API: a `TunnelEngine` like
/// the in-process `Engine`, so the TUI draws an engine in another process
/// exactly as its own. Every call is one request on `CONFIG_DIR/engine.sock`.
public final class EngineAPIClient: TunnelEngine {
    public let configDirectory: String
    /// What the engine said of itself when connected.
    public let engine: EngineInfo
    private let transport: UnixHTTPTransport

    private init(configDirectory: String, engine: EngineInfo, transport: UnixHTTPTransport) {
        self.configDirectory = configDirectory
        self.engine = engine
        self.transport = transport
    }

    /// The engine running for `configDirectory`, or nil when none runs (no
    /// socket, or a stale one nobody listens on). Throws
    /// `EngineAPIError.versionMismatch` when it is another Burrow version,
    /// unless `anyVersion` (`burrow down` stops any version: `/api/v1/engine/stop` stays).
    public static func connect(configDirectory: String, anyVersion: Bool = false) async throws -> EngineAPIClient? {
        let path = EngineAPI.socketPath(configDirectory: configDirectory)
        guard access(path, F_OK) == 0 else { return nil }
        let transport = UnixHTTPTransport(socketPath: path)
        let response: UnixHTTPTransport.Response
        do {
            response = try await transport.send(.GET, EngineAPI.pathPrefix + "/engine", timeout: .seconds(10))
        } catch {
            // Nobody holds the lock: a crashed engine's socket. Else it is busy or broken: say so.
            if EngineLock.holder(configDirectory: configDirectory) == nil { return nil }
            throw error
        }
        let info = try decode(EngineInfo.self, response)
        guard anyVersion || info.version == BurrowVersion.current else {
            throw EngineAPIError.versionMismatch(running: info.version, pid: info.pid, this: BurrowVersion.current)
        }
        return EngineAPIClient(configDirectory: configDirectory, engine: info, transport: transport)
    }

    // MARK: TunnelEngine

    public func snapshot() async throws -> EngineSnapshot {
        try await call(.GET, "/tunnels", as: WireSnapshot.self).value()
    }

    /// Engine events from now on; the stream ends when the engine goes away.
    public func events() -> AsyncStream<EngineEvent> {
        let bytes = transport.stream(EngineAPI.pathPrefix + "/events")
        return AsyncStream { continuation in
            let task = Task {
                var pending: [UInt8] = []
                let decoder = JSONDecoder()
                for await chunk in bytes {
                    pending += chunk
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = Data(pending[..<newline])
                        pending.removeSubrange(...newline)
                        if let event = (try? decoder.decode(EngineEventLine.self, from: line))?.value { continuation.yield(event) }
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func exchanges(mapping: String?, limit: Int) async throws -> [HTTPExchange] {
        var query = "?limit=\(limit)"
        if let mapping { query += "&mapping=" + (mapping.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? mapping) }
        return try await call(.GET, "/requests" + query, as: [WireExchange].self).map { try $0.value() }
    }

    public func exchange(id: UInt64) async throws -> HTTPExchange {
        try await call(.GET, "/requests/\(id)", as: WireExchange.self).value()
    }

    public func replay(id: UInt64, edited: HTTPReplayRequest?, confirmed: Bool) async throws -> HTTPExchange {
        let body = ReplayBody(confirm: confirmed, request: edited.map {
            ReplayBody.Request(method: $0.method, target: $0.target, headers: $0.headers.map { [$0.name, $0.value] },
                               body: Data($0.body).base64EncodedString())
        })
        return try await call(.POST, "/requests/\(id)/replay", body: body, as: WireExchange.self, timeout: .seconds(90)).value()
    }

    // MARK: The engine's process and the configuration

    /// `GET /engine`, now.
    public func info() async throws -> EngineInfo {
        try await call(.GET, "/engine", as: EngineInfo.self)
    }

    /// Asks the engine to stop gracefully (as on SIGTERM); returns at once.
    public func stop() async throws {
        _ = try await call(.POST, "/engine/stop", as: StopAnswer.self)
    }

    /// The engine outlives the process that started it (the TUI's "keep running").
    @discardableResult
    public func keep() async throws -> EngineInfo {
        try await call(.POST, "/engine/keep", as: EngineInfo.self)
    }

    /// mappings.json's mappings, each with the engine's state and URLs.
    public func mappings() async throws -> [MappingEntry] {
        try await call(.GET, "/mappings", as: [MappingEntry].self)
    }

    /// Adds `mapping` (checked like `burrow map add`; a taken name is refused).
    @discardableResult
    public func addMapping(_ mapping: Mapping) async throws -> Mapping {
        try await call(.POST, "/mappings", body: mapping, as: MappingEntry.self).mapping
    }

    /// Replaces the mapping called `name` with `mapping` (every field; the name may change).
    @discardableResult
    public func editMapping(named name: String, to mapping: Mapping) async throws -> Mapping {
        try await call(.PATCH, "/mappings/" + name, body: MappingPatch(mapping), as: MappingEntry.self).mapping
    }

    @discardableResult
    public func setMapping(named name: String, enabled: Bool) async throws -> Mapping {
        try await call(.PATCH, "/mappings/" + name, body: ["enabled": enabled], as: MappingEntry.self).mapping
    }

    @discardableResult
    public func removeMapping(named name: String) async throws -> Mapping {
        try await call(.DELETE, "/mappings/" + name, as: RemovedAnswer.self).removed
    }

    /// Selects a profile; nil = none (the embedded relay).
    public func selectProfile(_ name: String?) async throws {
        _ = try await call(.POST, "/profile", body: ProfileAnswer(selectedProfile: name).request, as: ProfileAnswer.self)
    }

    // MARK: Plumbing

    private func call<T: Decodable>(
        _ method: HTTPMethod, _ path: String, body: (some Encodable)? = Optional<Bool>.none, as type: T.Type,
        timeout: TimeAmount = .seconds(30)
    ) async throws -> T {
        let bytes = try body.map { Array(try JSONEncoder().encode($0)) }
        let response = try await transport.send(method, EngineAPI.pathPrefix + path, body: bytes, timeout: timeout)
        return try Self.decode(type, response)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ response: UnixHTTPTransport.Response) throws -> T {
        guard (200..<300).contains(response.status) else {
            let problem = try? JSONDecoder().decode(ProblemBody.self, from: Data(response.body))
            throw EngineAPIError.refused(
                status: response.status, message: problem?.error ?? "HTTP \(response.status)", field: problem?.field)
        }
        do {
            return try JSONDecoder().decode(type, from: Data(response.body))
        } catch {
            throw EngineAPIError.badResponse("\(error)")
        }
    }
}

private struct ProblemBody: Decodable {
    var error: String
    var field: String?
}

private struct ReplayBody: Encodable {
    struct Request: Encodable {
        var method: String
        var target: String
        var headers: [[String]]
        var body: String
    }

    var confirm: Bool
    var request: Request?
}

extension ProfileAnswer {
    /// `{"name": …}` for `POST /profile` (null written out).
    var request: ProfileRequest { ProfileRequest(name: selectedProfile) }
}

struct ProfileRequest: Encodable {
    var name: String?

    private enum CodingKeys: String, CodingKey { case name }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
    }
}

/// A whole mapping for `PATCH`: every field written, null for an absent one, so it clears.
private struct MappingPatch: Encodable {
    let mapping: Mapping

    init(_ mapping: Mapping) {
        self.mapping = mapping
    }

    func encode(to encoder: any Encoder) throws {
        try mapping.encode(to: encoder, everyField: true)
    }
}
