import BurrowTestSupport
import Foundation

/// Runs the built `burrow` binary (next to the test bundle) on a temp config
/// dir, with HOME pointed into it so nothing touches the real user's files.
struct CLIRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        var stderrLines: [Substring] { stderr.split(separator: "\n") }
    }

    static var binary: String { BurrowExecutable.path }

    let root: String
    var configDir: String { root + "/config" }

    init() throws {
        var template = Array("/tmp/burrow-cli-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        root = String(cString: made)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// A fresh runner whose config has one profile, `home`, and config.json's
    /// bytes right after (to check that a refused command changes nothing).
    static func withHomeProfile() throws -> (CLIRunner, Data?) {
        let cli = try CLIRunner()
        let added = try cli.run("profile", "add", "home", "relay.example.com")
        guard added.status == 0 else { throw TestFailure("profile add home: \(added.stderr)") }
        return (cli, cli.bytes("config.json"))
    }

    var environment: [String: String] { BurrowExecutable.environment(home: root) }

    /// `burrow --config-dir CONFIG ARGS…`
    @discardableResult
    func run(_ arguments: String...) throws -> Result {
        try runRaw(["--config-dir", configDir] + arguments)
    }

    func runRaw(_ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        try CLIRunner.exec(CLIRunner.binary, arguments, environment: environment ?? self.environment)
    }

    static func exec(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        let result = try SpawnedProcess.run(executable, arguments, environment: environment)
        return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// Like `exec`, but waits without holding a cooperative thread, for long
    /// runs in parallel.
    static func execAsync(_ executable: String, _ arguments: [String]) async throws -> Result {
        let result = try await SpawnedProcess.run(executable, arguments, timeout: .seconds(120))
        return Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    func file(_ name: String) -> String { configDir + "/" + name }

    func bytes(_ name: String) -> Data? {
        FileManager.default.contents(atPath: file(name))
    }

    func write(_ name: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: configDir, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file(name)))
    }

    /// The parsed `--json` output.
    func json(_ arguments: String...) throws -> [[String: Any]] {
        let result = try runRaw(["--config-dir", configDir] + arguments)
        guard result.status == 0, let array = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] else {
            throw CocoaError(.propertyListReadCorrupt, userInfo: ["output": result.stdout + result.stderr])
        }
        return array
    }
}
