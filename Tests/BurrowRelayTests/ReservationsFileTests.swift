import BurrowTestSupport
import BurrowConfig
import BurrowRelay
import Foundation
import Testing

/// A `reservations.json` that parses but is wrong stops the relay with one
/// line naming the file, line:column and the field; the file is untouched.
@Suite("reservations.json validation", .spawnsProcesses, .timeLimit(.minutes(10)))
struct ReservationsFileTests {
    @Test("wrong but well-formed reservations.json: file:line:column and field, file untouched", arguments: [
        (#"{"version": 1, "keys": {}, "owner": "me"}"#, "reservations.json:1:28: unknown field 'owner'"),
        (#"{"version": 2, "keys": {}}"#, "reservations.json:1:13: field 'version': unsupported version 2"),
        (#"{"keys": {}}"#, "field 'version': missing"),
        (#"{"version": 1, "keys": {"SHA256:a": {"names": ["Not_OK"]}}}"#, "reservations.json:1:48: field 'keys.SHA256:a.names[0]'"),
        (#"{"version": 1, "keys": {"SHA256:a": {"names": ["www"]}}}"#, "field 'keys.SHA256:a.names[0]': 'www' is reserved"),
        (#"{"version": 1, "keys": {"SHA256:a": {"autoName": "-x"}}}"#, "field 'keys.SHA256:a.autoName'"),
        (#"{"version": 1, "keys": {"SHA256:a": {"ports": [{"label": "", "port": 22}]}}}"#, "field 'keys.SHA256:a.ports[0].port': port 22 cannot be reserved"),
        (#"{"version": 1, "keys": {"SHA256:a": {"ports": [{"label": "", "port": 70000}]}}}"#, "port 70000 cannot be reserved"),
        (#"{"version": 1, "keys": {"SHA256:a": {"ports": [{"label": "", "port": 20001, "proto": "tcp"}]}}}"#, "unknown field 'keys.SHA256:a.ports[0].proto'"),
        (#"{"version": 1, "keys": {"SHA256:a": {"colour": 1}}}"#, "reservations.json:1:38: unknown field 'keys.SHA256:a.colour'"),
        (#"{"version": 1, "keys": {"alice": {}}}"#, "field 'keys.alice': not a key fingerprint"),
    ])
    func wrongFileStopsTheRelay(text: String, expected: String) async throws {
        let kit = try RelayTestKit()
        defer { kit.cleanUp() }
        let path = try kit.writeState("reservations.json", text)
        if let error = await kit.startFailure() {
            let message = "\(error)"
            #expect(message.hasPrefix(path + ":"), "\(message)")
            #expect(message.contains(expected), "\(message)")
            #expect(!message.contains("\n"))
            #expect(message.contains("never overwritten"))
        } else {
            Issue.record("the relay started with \(text)")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test("the relay's own reservations.json reads back: version, keys, names, autoName, ports")
    func roundTrip() throws {
        var file = ReservationsFile()
        var key = ReservationsFile.Key()
        key.names = ["demo", "calm-otter"]
        key.autoName = "calm-otter"
        key.ports = [.init(label: "db \"quoted\"", port: 20042)]
        file.keys["SHA256:abc+/="] = key
        let directory = FileManager.default.temporaryDirectory.path + "/burrow-resv-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try file.write(to: directory + "/reservations.json")
        let text = try String(contentsOfFile: directory + "/reservations.json", encoding: .utf8)
        #expect(text.contains("\"version\": 1"))
        #expect(try ReservationsFile.load(path: directory + "/reservations.json") == file)
    }
}
