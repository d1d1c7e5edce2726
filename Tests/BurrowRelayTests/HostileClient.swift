import BurrowTestSupport
import Foundation

/// A python3 client that misbehaves on purpose: raw bytes, a dribbled head,
/// thousands of silent connections. Each mode prints one result line.
enum HostileClient {
    static func install(in kit: RelayTestKit) throws -> String {
        try TestScripts.install("hostile_client.py", in: kit.directory, as: "hostile.py")
    }

    /// Sends `bytes` to `port`; returns (first response line, response length, seconds until the relay closed).
    static func raw(_ kit: RelayTestKit, port: Int, _ bytes: [UInt8]) async throws -> (first: String, length: Int, seconds: Double) {
        let script = try install(in: kit)
        // The payload may be a megabyte: it goes through a file, not argv.
        let file = kit.directory + "/payload-\(UUID().uuidString.prefix(6)).bin"
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let run = try await TestProcess.run("python3", [script, "raw", String(port), file], timeout: .seconds(40))
        return try parse(run.stdout, run.stderr)
    }

    static func slowloris(_ kit: RelayTestKit, port: Int) async throws -> (first: String, length: Int, seconds: Double) {
        let script = try install(in: kit)
        let run = try await TestProcess.run("python3", [script, "slowloris", String(port)], timeout: .seconds(40))
        return try parse(run.stdout, run.stderr)
    }

    /// `count` GETs for `host`, one connection each; returns how many got each status ("closed" = no answer).
    static func burst(_ kit: RelayTestKit, port: Int, count: Int, host: String) async throws -> [String: Int] {
        let script = try install(in: kit)
        let run = try await TestProcess.run("python3", [script, "burst", String(port), String(count), host], timeout: .seconds(60))
        guard let line = run.stdout.split(separator: "\n").first(where: { $0.hasPrefix("CODES") }) else {
            throw TestFailure("hostile client: \(run.stdout) \(run.stderr)")
        }
        var codes: [String: Int] = [:]
        for pair in line.dropFirst(6).split(separator: " ") {
            let parts = pair.split(separator: "=")
            codes[String(parts[0])] = Int(parts[1])
        }
        return codes
    }

    private static func parse(_ stdout: String, _ stderr: String) throws -> (first: String, length: Int, seconds: Double) {
        guard let match = stdout.firstMatch(of: /REPLY '(.*)' (\d+) ([\d.]+)/) else {
            throw TestFailure("hostile client: \(stdout) \(stderr)")
        }
        return (String(match.1), Int(match.2)!, Double(match.3)!)
    }
}
