import ArgumentParser
import BurrowAPI
import BurrowCore
import Foundation

extension Burrow {
    /// `burrow replay ID`: send a recorded request to the local service again.
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay",
            abstract: "Send a recorded HTTP request (see `burrow requests`) to its local service again.",
            discussion: """
                The answer is recorded as a new request and printed: its status and \
                the start of its body. Methods that are not idempotent (POST, PATCH…) \
                need --yes.

                Examples:
                  burrow replay 42
                  burrow replay 43 --yes --json
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The request's id (first column of `burrow requests`).", valueName: "ID"))
        var id: UInt64

        @Flag(help: "Replay a non-idempotent request (POST, PATCH…) without asking.")
        var yes = false

        @Flag(help: "Print the new request and its response as JSON.")
        var json = false

        func run() async throws {
            let client = try await RunningEngine.require(global.store(), command: "replay")
            let answer = try await RunningEngine.call("replay") { try await client.replay(id: id, edited: nil, confirmed: yes) }
            if json {
                print(String(decoding: EngineAPIJSON.exchange(answer), as: UTF8.self), terminator: "")
                return
            }
            let status = answer.status.map { "\($0)\(answer.reason.map { " \($0)" } ?? "")" } ?? "no response"
            let ms = answer.totalMs.map { String(format: ", %.0f ms", $0) } ?? ""
            CLIOutput.line("replayed \(id) as \(answer.id): \(answer.method) \(answer.target) → \(status)\(ms)")
            CLIOutput.line(RequestFormat.bodySummary(answer.responseBody, total: answer.responseBodyBytes))
        }
    }
}
