import Foundation

/// The built `burrow` executable, which `swift build` puts next to the test
/// bundle, and the environment tests run it in.
public enum BurrowExecutable {
    public static let path: String = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On some layouts the runner sits inside the .xctest bundle directory.
        while !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("burrow").path), directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("burrow").path
    }()

    /// This process's environment with HOME at `home` (so nothing touches
    /// the real user's files), no config-directory overrides, and a wide
    /// terminal (tables are not cut).
    public static func environment(home: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home
        environment["XDG_CONFIG_HOME"] = nil
        environment["BURROW_CONFIG_DIR"] = nil
        environment["COLUMNS"] = "200"
        return environment
    }
}
