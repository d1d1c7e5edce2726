import BurrowConfig
import BurrowCore
import Foundation
import NIOHTTP1

/// Turns one request into one answer. Reads only `TunnelEngine` (snapshots,
/// events, the inspector) and writes only through `ConfigStore`, so
/// mappings.json stays the one source of truth: the engine applies a change
/// made here through its `ConfigWatcher`, as it does for `burrow map add`.
struct EngineAPIRouter: Sendable {
    let engine: any TunnelEngine
    let store: ConfigStore
    let hooks: EngineAPIHooks
    /// Snapshots for `/tunnels` and `/mappings`, at most 250 ms old.
    let snapshots: SnapshotCache

    func respond(to request: APIRequest) async -> APIResponse {
        do {
            return try await route(request)
        } catch let problem as APIProblem {
            return .problem(problem)
        } catch let error as ConfigError {
            return .problem(APIProblem(error))
        } catch let error as InspectorError {
            return .problem(APIProblem(error))
        } catch {
            return .problem(APIProblem(500, "\(error)"))
        }
    }

    private func route(_ request: APIRequest) async throws -> APIResponse {
        guard let route = request.route else { throw APIProblem.notFound(request.path) }
        let method = request.method
        func only(_ allowed: HTTPMethod...) throws {
            guard allowed.contains(method) else {
                throw APIProblem.methodNotAllowed(method.rawValue, request.path, allowed: allowed.map(\.rawValue))
            }
        }
        switch route.map(String.init) {
        case ["engine"]:
            try only(.GET)
            return .ok(hooks.info())
        case ["engine", "stop"]:
            try only(.POST)
            let info = hooks.info()
            hooks.stop()
            return .ok(StopAnswer(stopping: true, pid: info.pid), status: 202)
        case ["engine", "keep"]:
            try only(.POST)
            hooks.keep()
            return .ok(hooks.info())
        case ["tunnels"]:
            try only(.GET)
            return .ok(WireSnapshot(try await snapshots.current()))
        case ["mappings"]:
            try only(.GET, .POST)
            if method == .POST {
                let mapping = try MappingRequest(request.body).add(to: store)
                snapshots.invalidate()
                return .ok(MappingEntry(mapping, snapshot: nil), status: 201)
            }
            return .ok(try await mappingEntries())
        case let path where path.count == 2 && path[0] == "mappings":
            try only(.PATCH, .DELETE)
            if method == .DELETE {
                let removed = try store.removeMapping(named: path[1])
                snapshots.invalidate()
                return .ok(RemovedAnswer(removed: removed))
            }
            let mapping = try MappingRequest(request.body).edit(path[1], in: store)
            snapshots.invalidate()
            return .ok(MappingEntry(mapping, snapshot: nil))
        case ["profile"]:
            try only(.POST)
            defer { snapshots.invalidate() }
            return .ok(try selectProfile(request.body))
        case ["events"]:
            try only(.GET)
            return .events(engine.events(), serverSent: request.wantsServerSentEvents)
        case ["requests"]:
            try only(.GET)
            return try await exchanges(request)
        case let path where path.count == 2 && path[0] == "requests":
            try only(.GET)
            return .ok(WireExchange(try await engine.exchange(id: try exchangeID(path[1])), bodies: true))
        case let path where path.count == 3 && path[0] == "requests" && path[2] == "replay":
            try only(.POST)
            return try await replay(try exchangeID(path[1]), body: request.body)
        default:
            throw APIProblem.notFound(request.path)
        }
    }

    private func mappingEntries() async throws -> [MappingEntry] {
        let file = try store.loadMappings()
        let snapshot = try await snapshots.current()
        let byName = Dictionary(snapshot.mappings.map { ($0.mapping.name, $0) }, uniquingKeysWith: { first, _ in first })
        return file.mappings.map { MappingEntry($0, snapshot: byName[$0.name]) }
    }

    /// `{"name":"home"}` selects a profile, `{"name":null}` none (the embedded relay).
    private func selectProfile(_ bytes: [UInt8]) throws -> ProfileAnswer {
        let body = try JSONRequestObject(parsing: bytes)
        try body.rejectUnknown(allowed: ["name"])
        guard body.contains("name") else { throw body.fail("name", "missing: give a profile's name, or null for none") }
        if let name = try body.label("name") {
            try store.selectProfile(named: name)
        } else {
            try store.updateConfig { $0.selectedProfile = nil }
        }
        return ProfileAnswer(selectedProfile: try store.loadConfig().selectedProfile)
    }

    private func exchangeID(_ text: String) throws -> UInt64 {
        guard let id = UInt64(text) else { throw APIProblem(404, "no request with id '\(text)' (ids are numbers; see `burrow requests`)") }
        return id
    }

    private func exchanges(_ request: APIRequest) async throws -> APIResponse {
        var limit = 50
        if let text = request.query["limit"] {
            guard let value = Int(text), (1...10_000).contains(value) else {
                throw APIProblem(400, "limit must be a number from 1 to 10000, not '\(text)'", field: "limit")
            }
            limit = value
        }
        let mapping = request.query["mapping"].flatMap { $0.isEmpty ? nil : $0 }
        // A typo gets its 404 here, whatever the inspector keeps.
        if let mapping, try store.loadMappings().mapping(named: mapping) == nil { throw InspectorError.noSuchMapping(mapping) }
        let list = try await engine.exchanges(mapping: mapping, limit: limit)
        return .ok(list.map { WireExchange($0, bodies: false) })
    }

    /// `{"confirm":true,"request":{"method","target","headers":[[n,v]],"body":"BASE64"}}`, all optional.
    private func replay(_ id: UInt64, body bytes: [UInt8]) async throws -> APIResponse {
        let body = try JSONRequestObject(parsing: bytes)
        try body.rejectUnknown(allowed: ["confirm", "request"])
        let confirmed = try body.bool("confirm") ?? false
        var edited: HTTPReplayRequest?
        if let request = try body.object("request") {
            try request.rejectUnknown(allowed: ["method", "target", "headers", "body"])
            let original = try await engine.exchange(id: id)
            let payload: [UInt8]
            if let text = try request.string("body") {
                guard let data = Data(base64Encoded: text) else { throw request.fail("body", "expected base64") }
                payload = Array(data)
            } else {
                payload = original.requestBody
            }
            edited = HTTPReplayRequest(
                method: try request.string("method") ?? original.method,
                target: try request.string("target") ?? original.target,
                headers: try request.stringPairs("headers")?.map { HTTPHeaderField(name: $0.0, value: $0.1) } ?? original.requestHeaders,
                body: payload)
        }
        let answer = try await engine.replay(id: id, edited: edited, confirmed: confirmed)
        return .ok(WireExchange(answer, bodies: true), status: 201)
    }
}
