import BurrowTestSupport
import BurrowConfig
import BurrowRelay
import Foundation
import Testing

/// relay.json, reservations.json and authorized_keys: good files are read,
/// bad or hostile ones stop the relay with one clear line naming the file,
/// and are never rewritten.
@Suite("Relay state files", .spawnsProcesses, .timeLimit(.minutes(10)))
struct RelayStateFileTests {
    static func parse(_ text: String) throws(ConfigError) -> RelaySettingsFile {
        try RelaySettingsFile.parse(Array(text.utf8), file: "relay.json")
    }

    @Test("relay.json: every limit is read; absent fields keep their defaults")
    func readsEveryLimit() throws {
        let settings = try Self.parse("""
            {
              "limits" : {
                "bandwidthBytesPerSecond" : 1048576,
                "drainTimeoutSeconds" : 2.5,
                "httpHeadMaxBytes" : 8192,
                "httpHeadTimeoutSeconds" : 5,
                "limitReportIntervalSeconds" : 30,
                "maxMappingsPerKey" : 3,
                "maxVisitorsPerKey" : 100,
                "maxVisitorsPerMapping" : 50,
                "newConnectionsPerSecondPerIP" : 20,
                "reservedNames" : [ "www", "shop" ],
                "sshAuthTimeoutSeconds" : 4,
                "sshKeepaliveTimeoutSeconds" : 20,
                "sshMaxAuthAttempts" : 3,
                "sshMaxChannelsPerSession" : 4,
                "visitorIdleTimeoutSeconds" : 60
              },
              "version" : 1
            }
            """)
        let limits = settings.limits
        #expect(limits.bandwidthBytesPerSecond == 1_048_576)
        #expect(limits.drainTimeoutSeconds == 2.5)
        #expect(limits.httpHeadMaxBytes == 8192)
        #expect(limits.httpHeadTimeoutSeconds == 5)
        #expect(limits.limitReportIntervalSeconds == 30)
        #expect(limits.maxMappingsPerKey == 3)
        #expect(limits.maxVisitorsPerKey == 100)
        #expect(limits.maxVisitorsPerMapping == 50)
        #expect(limits.newConnectionsPerSecondPerIP == 20)
        #expect(limits.reservedNames == ["www", "shop"])
        #expect(limits.sshAuthTimeoutSeconds == 4)
        #expect(limits.sshKeepaliveTimeoutSeconds == 20)
        #expect(limits.sshMaxAuthAttempts == 3)
        #expect(limits.sshMaxChannelsPerSession == 4)
        #expect(limits.visitorIdleTimeoutSeconds == 60)

        let defaults = try Self.parse(#"{"version": 1}"#).limits
        #expect(defaults == RelayLimits())
        #expect(defaults.maxMappingsPerKey == 10 && defaults.maxVisitorsPerKey == 1000 && defaults.maxVisitorsPerMapping == 500)
        #expect(defaults.visitorIdleTimeoutSeconds == 600 && defaults.bandwidthBytesPerSecond == nil)
        #expect(defaults.newConnectionsPerSecondPerIP == 50 && defaults.httpHeadTimeoutSeconds == 10 && defaults.httpHeadMaxBytes == 16384)
        #expect(defaults.sshAuthTimeoutSeconds == 10 && defaults.sshMaxAuthAttempts == 6)
    }

    @Test("relay.json: each mistake is one line with file:line:column or the field", arguments: [
        (#"{"version": 1, "limits": {"maxVisitors": 5}}"#, "relay.json:1:27: unknown field 'limits.maxVisitors'"),
        (#"{"version": 1, "colour": "blue"}"#, "relay.json:1:16: unknown field 'colour'"),
        (#"{"version": 1, "limits": {"maxMappingsPerKey": 0}}"#, "field 'limits.maxMappingsPerKey': 0 is out of range"),
        (#"{"version": 1, "limits": {"httpHeadTimeoutSeconds": "10"}}"#, "field 'limits.httpHeadTimeoutSeconds': expected a number of seconds"),
        (#"{"version": 1, "limits": {"bandwidthBytesPerSecond": 10}}"#, "field 'limits.bandwidthBytesPerSecond': 10 is out of range"),
        (#"{"version": 1, "limits": {"reservedNames": ["ok", "Not_OK"]}}"#, "field 'limits.reservedNames[1]'"),
        (#"{"version": 2}"#, "unsupported version 2"),
        (#"{"limits": {}}"#, "field 'version': missing"),
        (#"{"version": 1,}"#, "relay.json:1:"),
        ("[1, 2]", "expected an object"),
        ("", "the file is empty"),
        ("\u{FF}\u{FE}", "relay.json:1:1: unexpected byte"),
        (String(repeating: "[", count: 100_000), "nested too deeply"),
        (#"{"version": 1, "version": 1}"#, "'version' appears twice"),
    ])
    func rejectsMistakes(text: String, expected: String) {
        do {
            _ = try Self.parse(text)
            Issue.record("accepted: \(text.prefix(80))")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("a bad relay.json stops Relay.start() and burrow serve (exit 1, one line); the file is untouched")
    func badRelayJSONStopsTheRelay() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let text = "{\n  \"version\": 1,\n  \"limits\": { \"maxVisitorsPerMaping\": 10 }\n}\n"
        let path = try kit.writeState("relay.json", text)
        let error = await kit.startFailure()
        #expect(error is RelayError)
        let message = error.map { "\($0)" } ?? "started"
        #expect(message.contains("\(path):3:15: unknown field 'limits.maxVisitorsPerMaping'"), "\(message)")
        let serve = try await TestProcess.run(
            RelayTestKit.burrowBinary,
            ["serve", "--state-dir", kit.stateDirectory, "--bind", "127.0.0.1", "--ssh-port", "0", "--http-port", "0"])
        #expect(serve.exitStatus == 1)
        let lines = serve.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(serve.stderr)")
        #expect(serve.stderr.contains("burrow serve: \(path):3:15: unknown field 'limits.maxVisitorsPerMaping'"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test("a good relay.json is applied by burrow serve (a reserved name from it is refused)")
    func serveAppliesRelayJSON() async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let key = try await kit.makeKey("agent", authorize: true)
        let text = #"{ "version": 1, "limits": { "reservedNames": ["blocked"] } }"# + "\n"
        let path = try kit.writeState("relay.json", text)
        let (_, sshPort, _) = try await kit.serve()
        let ssh = try kit.ssh(key: key, sshPort: sshPort, forwards: ["blocked:80:127.0.0.1:9"], exitOnForwardFailure: false, command: "burrow-control")
        _ = try await ssh.waitFor("name 'blocked' is reserved on this relay")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test("corrupt or hostile reservations.json: a clear error, the file untouched, no crash", arguments: [
        "{ not json",
        String(repeating: "[", count: 100_000),
        #"{"version": 1, "keys": {"SHA256:x": {"names": 5}}}"#,
        "\u{0}\u{1}\u{2}binary",
    ])
    func corruptReservations(text: String) async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let path = try kit.writeState("reservations.json", text)
        if let error = await kit.startFailure() {
            #expect("\(error)".contains(path), "\(error)")
            #expect("\(error)".contains("never overwritten"))
        } else {
            Issue.record("the relay started with a corrupt reservations.json")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test("hostile authorized_keys (binary, huge lines, bad keys) skips what is not a key and admits what is")
    func hostileAuthorizedKeys() async throws {
        var text = ""
        try await RelayTest.run(authorizeKey: false, prepare: { kit, key in
            let good = try String(contentsOfFile: key + ".pub", encoding: .utf8)
            var junk = "\u{0}\u{1}binary\u{7f}\n" + String(repeating: "A", count: 2_000_000) + "\n"
            junk += "ssh-ed25519 not-base64!!\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==\nssh-rsa AAAA\n"
            text = junk + good
            try kit.writeState("authorized_keys", text)
        }) { test in
            let ssh = try test.ssh(["fine:80:127.0.0.1:9"], command: "burrow-control")
            _ = try await ssh.waitFor("\"type\":\"forwarded\"")
            #expect(test.log.text.contains("not an OpenSSH public key line, skipped"))
            #expect(try String(contentsOfFile: test.kit.stateDirectory + "/authorized_keys", encoding: .utf8) == text)
        }
    }
}
