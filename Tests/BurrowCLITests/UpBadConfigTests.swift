import Foundation
import Testing

/// `burrow up` reads config.json and mappings.json before it starts
/// anything: a bad file stops it at once with the file's own message after
/// `burrow up:` and exit status 1.
@Suite struct UpBadConfigTests {
    @Test(arguments: ["config.json", "mappings.json"])
    func aBadFileStopsUpBeforeItStarts(file: String) throws {
        let cli = try CLIRunner()
        defer { cli.remove() }
        try FileManager.default.createDirectory(atPath: cli.configDir, withIntermediateDirectories: true)
        try Data("{\"version\": 1, \"nope\": true}".utf8).write(to: URL(fileURLWithPath: cli.configDir + "/" + file))
        let result = try cli.run("up")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("burrow up: "), "\(result.stderr)")
        #expect(result.stderr.contains(file) && result.stderr.contains("nope"), "\(result.stderr)")
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
    }
}
