import ArgumentParser
import BurrowAPI
import BurrowCore
import Foundation

extension Burrow {
    /// `burrow requests`: the inspector's recent HTTP requests.
    struct Requests: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "requests",
            abstract: "List the HTTP requests the running engine has seen, newest first.",
            discussion: """
                One row per request: its id (for `burrow replay ID`), time, method, \
                target, status, milliseconds and who answered (the local service, the \
                agent's own 502, or the relay's refusal).

                Examples:
                  burrow requests
                  burrow requests web --limit 5
                  burrow requests --json | jq '.[0].id'
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("Only this mapping's requests.", valueName: "NAME"))
        var name: String?

        @Flag(help: "Print the requests as JSON (without bodies; `GET /api/v1/requests/ID` has them).")
        var json = false

        @Option(help: ArgumentHelp("At most this many.", valueName: "N"))
        var limit = 20

        func validate() throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be a number from 1 to 10000") }
        }

        func run() async throws {
            let client = try await RunningEngine.require(global.store(), command: "requests")
            let list = try await RunningEngine.call("requests") { try await client.exchanges(mapping: name, limit: limit) }
            if json {
                print(String(decoding: EngineAPIJSON.exchanges(list), as: UTF8.self), terminator: "")
                return
            }
            guard !list.isEmpty else {
                CLIOutput.line(name.map { "no requests seen for '\($0)' yet" } ?? "no requests seen yet")
                return
            }
            var table = CLITable("ID", "TIME", "MAPPING", "METHOD", "TARGET", "STATUS", "MS", "ANSWERED BY")
            for exchange in list {
                table.add(
                    String(exchange.id), RequestFormat.time(exchange.time), exchange.mapping, exchange.method,
                    RequestFormat.clip(exchange.target, 60), exchange.status.map(String.init) ?? "-",
                    exchange.totalMs.map { String(format: "%.0f", $0) } ?? "-", exchange.answeredBy.rawValue)
            }
            CLIOutput.line(table.rendered)
        }
    }
}

/// Small text helpers for `requests` and `replay`.
enum RequestFormat {
    /// Local wall-clock time, `HH:MM:SS`.
    static func time(_ seconds: Double) -> String {
        var value = time_t(seconds)
        var parts = tm()
        localtime_r(&value, &parts)
        return String(format: "%02d:%02d:%02d", parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    static func clip(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }

    /// A body in one line: its text (clipped), or its size when binary.
    static func bodySummary(_ bytes: [UInt8], total: UInt64) -> String {
        if bytes.isEmpty { return total == 0 ? "(empty body)" : "(\(total) bytes, not kept)" }
        guard let text = String(validating: bytes, as: UTF8.self) else { return "(\(total) bytes, binary)" }
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ⏎ ")
        return clip(line, 200) + (total > UInt64(bytes.count) ? " … (\(total) bytes)" : "")
    }
}
