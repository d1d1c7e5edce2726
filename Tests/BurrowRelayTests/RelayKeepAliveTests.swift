import BurrowTestSupport
import BurrowConfig
import BurrowRelay
import Foundation
import Testing

/// Kept-alive HTTP visitors between requests do not hold a mapping's slots
/// (issue 12 item 8): they are closed after `httpKeepAliveTimeoutSeconds`,
/// and at once when a new visitor would otherwise be refused. A visitor
/// waiting for a slow response is not idle.
@Suite("HTTP keep-alive on the relay", .spawnsProcesses, .timeLimit(.minutes(10)))
struct RelayKeepAliveTests {
    @Test("a kept-alive visitor is closed httpKeepAliveTimeoutSeconds after its last response, not during a slow one")
    func keepAliveTimeout() async throws {
        try await HTTPFramingTests.withService(limits: { $0.httpKeepAliveTimeoutSeconds = 1 }) { kit, port, _ in
            let quick = try await VisitorPathScripts.send(kit, port: port, "GET /quick HTTP/1.1\r\nHost: web.localhost\r\n\r\n", wait: 8)
            #expect(quick.codes == ["200"] && quick.closed && quick.seconds < 5, "\(quick)")
            // /slow answers after 2 s: the 1 s keep-alive clock starts after the answer.
            let slow = try await VisitorPathScripts.send(kit, port: port, "GET /slow HTTP/1.1\r\nHost: web.localhost\r\n\r\n", wait: 10)
            #expect(slow.codes == ["200"] && slow.closed && slow.seconds >= 2.9 && slow.seconds < 7, "\(slow)")
            // A chunked response of 64 KB is followed to its end, then the clock starts.
            let big = try await VisitorPathScripts.send(kit, port: port, "GET /big HTTP/1.1\r\nHost: web.localhost\r\n\r\n", wait: 8)
            #expect(big.codes == ["200"] && big.closed && big.seconds < 5, "\(big)")
        }
    }

    @Test("at maxVisitorsPerMapping, a new visitor takes the slot of a kept-alive one between requests")
    func newVisitorReapsAnIdleOne() async throws {
        try await HTTPFramingTests.withService(limits: { $0.maxVisitorsPerMapping = 5 }) { kit, port, _ in
            // keepalive_holder.py: opens N connections, one GET each, reads each
            // response, prints READY, then after WAIT seconds prints how many the
            // relay closed meanwhile.
            let script = try TestScripts.install("keepalive_holder.py", in: kit.directory, as: "holder.py")
            let held = kit.track(try TestProcess("python3", ["-u", script, String(port), "5", "4"]))
            _ = try await held.waitFor("READY", timeout: .seconds(20))
            // Without the reaping, these are 503s (maxVisitorsPerMapping) until one of the five leaves.
            // Three more, each staying connected: each needs a slot of its own.
            let newcomers = kit.track(try TestProcess("python3", ["-u", script, String(port), "3", "0"]))
            _ = try await newcomers.waitFor("READY", timeout: .seconds(20))
            let closed = try await held.waitFor("CLOSED (\\d+)", timeout: .seconds(20))
            #expect(Int(closed) == 3, "\(held.stdout)")
        }
    }
}
