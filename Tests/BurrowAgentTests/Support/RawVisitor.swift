import Foundation

/// Blocking visitor helpers run off the cooperative pool (a blocked socket
/// call must not hold one of the few async threads).
enum RawVisitor {
    /// Sends `request` to 127.0.0.1:`port` and reads until the relay closes (or `timeout`).
    static func exchange(port: Int, _ request: String, timeout: Int = 10) async throws -> String {
        try await Task.detached {
            let socket = try BlockingSocket(port: port, timeoutSeconds: timeout)
            try socket.send(request)
            return String(decoding: try socket.readToEnd(limit: 1 << 20), as: UTF8.self)
        }.value
    }

    /// An HTTP GET with `Host: host`, on a connection that stays open.
    static func get(port: Int, host: String, path: String = "/") -> String {
        "GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\r\n"
    }
}
