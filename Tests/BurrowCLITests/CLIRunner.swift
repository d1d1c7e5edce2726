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

    static let binary: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("burrow").path
    }()

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

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = root
        env["XDG_CONFIG_HOME"] = nil
        env["BURROW_CONFIG_DIR"] = nil
        env["COLUMNS"] = "200"
        return env
    }

    /// `burrow --config-dir CONFIG ARGS…`
    @discardableResult
    func run(_ arguments: String...) throws -> Result {
        try runRaw(["--config-dir", configDir] + arguments)
    }

    func runRaw(_ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        try CLIRunner.exec(CLIRunner.binary, arguments, environment: environment ?? self.environment)
    }

    static func exec(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Like `exec`, but waits without holding a cooperative thread, for long
    /// runs in parallel. Output must stay small (it is read after exit).
    static func execAsync(_ executable: String, _ arguments: [String]) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return Result(
            status: status,
            stdout: String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
            stderr: String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
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
