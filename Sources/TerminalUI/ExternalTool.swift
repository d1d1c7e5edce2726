import Foundation

/// Finding and running the small desktop helpers the UI can use when they
/// exist (`wl-copy`, `xclip`, `xsel`, `pbcopy`, `xdg-open`).
public enum ExternalTool {
    /// The full path of `name` on `PATH`, if it is there and executable.
    public static func find(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Starts `path arguments…`, writes `input` to its stdin, and does not
    /// wait: clipboard tools keep running to serve the selection. Its output
    /// goes to /dev/null so it never scribbles over the screen.
    @discardableResult
    public static func run(_ path: String, _ arguments: [String], input: String? = nil) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : pipe
        do {
            try process.run()
        } catch {
            return false
        }
        if let input {
            pipe.fileHandleForWriting.write(Data(input.utf8))
            try? pipe.fileHandleForWriting.close()
        }
        return true
    }
}
