import Foundation

/// The built `burrow` executable: it sits next to the test bundle.
enum BurrowBinary {
    static var path: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On some layouts the runner sits inside the .xctest bundle directory.
        while !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("burrow").path),
              directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("burrow").path
    }

    /// Parses the JSON lines (`{…}`) of `output`.
    static func jsonEvents(_ output: String) -> [[String: Any]] {
        output.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{"), let data = line.data(using: .utf8) else { return nil }
            return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        }
    }

    static func onlineURLs(_ output: String) -> [(name: String, url: String)] {
        jsonEvents(output).compactMap { event in
            guard event["event"] as? String == "online", let name = event["name"] as? String,
                  let url = event["url"] as? String else { return nil }
            return (name, url)
        }
    }
}
