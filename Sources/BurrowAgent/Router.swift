import Synchronization

/// The route table of one tunnel, read on the event loop once per visitor
/// (never per packet) and changed by the tunnel as mappings come and go.
/// Visitor channels arrive with the bind address the agent asked for, which
/// is always the mapping's name, so the name is the key; the port is only
/// checked loosely because for TCP the relay reports the port it bound.
final class Router: Sendable {
    private let routes = Mutex<[String: Route]>([:])

    func set(_ route: Route, for name: String) {
        routes.withLock { $0[name] = route }
    }

    func remove(_ name: String) {
        _ = routes.withLock { $0.removeValue(forKey: name) }
    }

    func route(host: String, port: Int) -> Route? {
        routes.withLock { $0[host] }
    }
}
