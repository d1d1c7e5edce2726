import BurrowTestSupport
import Foundation

/// python3 helpers for the visitor-path tests: a local HTTP/1.1 service that
/// reports what reached it, and a raw visitor that sends hostile bytes and
/// reports every status it got back and whether the relay closed.
enum VisitorPathScripts {
    /// Starts the service (visitor_path_service.py); returns it (for its SEEN
    /// lines) and its port. Each request becomes a `SEEN METHOD PATH xff=…
    /// host=… body=N` line on stdout and a 200 whose body says the same;
    /// `CONNECT` gets 405, `/accept` 101 then an echo of raw bytes, `/slow`
    /// waits 2 s, `/big` is 64 KB chunked.
    static func startService(_ kit: RelayTestKit) async throws -> (TestProcess, Int) {
        let path = try TestScripts.install("visitor_path_service.py", in: kit.directory, as: "service.py")
        let process = kit.track(try TestProcess("python3", ["-u", path]))
        return (process, Int(try await process.waitFor("PORT (\\d+)\\n"))!)
    }

    /// What a raw visitor got: the status of every response, whether the relay closed, when.
    struct Reply: CustomStringConvertible {
        var codes: [String]
        var closed: Bool
        var seconds: Double
        var description: String { "\(codes) \(closed ? "closed" : "open") after \(seconds) s" }
    }

    /// Sends `text` (with `<PAUSE>` marks, 0.3 s each) to `port`; waits up to `wait` seconds for the close.
    static func send(_ kit: RelayTestKit, port: Int, _ text: String, wait: Double = 5) async throws -> Reply {
        try await send(kit, port: port, Array(text.utf8), wait: wait)
    }

    static func send(_ kit: RelayTestKit, port: Int, _ bytes: [UInt8], wait: Double = 5) async throws -> Reply {
        let script = try TestScripts.install("raw_visitor.py", in: kit.directory, as: "raw-visitor.py")
        let payload = kit.directory + "/payload-\(UUID().uuidString.prefix(8)).bin"
        try Data(bytes).write(to: URL(fileURLWithPath: payload))
        let run = try await TestProcess.run("python3", [script, String(port), String(wait), payload], timeout: .seconds(Int(wait) + 30))
        guard let match = run.stdout.firstMatch(of: /REPLY (.+) (CLOSED|OPEN) ([\d.]+)/) else {
            throw TestFailure("raw visitor: \(run.stdout) \(run.stderr)")
        }
        let codes = match.1 == "-" ? [] : match.1.split(separator: " ").map(String.init)
        return Reply(codes: codes, closed: match.2 == "CLOSED", seconds: Double(match.3)!)
    }
}
