import BurrowTestSupport
import Foundation
import Testing

/// The relay is the visitor's HTTP server: a request that asks for the
/// connection to end (`Connection: close`, or HTTP/1.0 without keep-alive)
/// is answered and then closed by the relay (RFC 9112 §9.6), even when the
/// service behind the tunnel keeps its own connection open (this one does).
/// Clients that wait for the server's close (h2load, HTTP/1.0 clients)
/// otherwise hung until the idle timeout.
@Suite("Connection: close on the visitor path", .spawnsProcesses, .timeLimit(.minutes(10)))
struct ConnectionCloseTests {
    @Test("Connection: close and HTTP/1.0 get their response, then the relay closes at once")
    func closeAfterTheResponse() async throws {
        try await HTTPFramingTests.withService { kit, port, _ in
            for request in [
                "GET /closing HTTP/1.1\r\nHost: web.localhost\r\nConnection: close\r\n\r\n",
                "GET /old HTTP/1.0\r\nHost: web.localhost\r\n\r\n",
            ] {
                let reply = try await VisitorPathScripts.send(kit, port: port, request, wait: 5)
                #expect(reply.codes == ["200"] && reply.closed && reply.seconds < 3, "\(request.prefix(30)): \(reply)")
            }
            // Keep-alive stays open (the relay's keep-alive timeout is longer than the wait).
            let kept = try await VisitorPathScripts.send(kit, port: port, "GET /kept HTTP/1.1\r\nHost: web.localhost\r\n\r\n", wait: 2)
            #expect(kept.codes == ["200"] && !kept.closed, "\(kept)")
        }
    }
}
