import BurrowCluster
import BurrowConfig
import Testing

@Suite("postgres:// addresses and relay.json's cluster")
struct ClusterAddressTests {
    @Test("A TCP URL, a socket URL, percent-encoding, defaults")
    func parses() throws {
        let tcp = try ClusterAddress.parse("postgres://burrow:p%40ss@db.example.com:6543/fleet")
        #expect(tcp.user == "burrow")
        #expect(tcp.password == "p@ss")
        #expect(tcp.host == "db.example.com")
        #expect(tcp.port == 6543)
        #expect(tcp.database == "fleet")
        #expect(tcp.socketPath == nil)
        let socket = try ClusterAddress.parse("postgresql://burrow@:5433/fleet?host=/run/postgresql")
        #expect(socket.socketPath == "/run/postgresql/.s.PGSQL.5433")
        #expect(socket.password == nil)
        #expect(try ClusterAddress.parse("postgres://u@h/d").port == 5432)
    }

    @Test("The password never shows: description, mask, and every parse error")
    func masked() throws {
        let secret = "hunter2-secret"
        #expect(!(try ClusterAddress.parse("postgres://me:\(secret)@h:5432/db")).description.contains(secret))
        #expect(ClusterAddress.mask("postgres://me:\(secret)@h/db") == "postgres://me:***@h/db")
        for bad in [
            "mysql://me:\(secret)@h/db", "postgres://me:\(secret)@h:99999/db", "postgres://me:\(secret)@h", "postgres://me:\(secret)@h/db?sslmode=x",
            "postgres://me:\(secret)@h/db?host=relative", "postgres://:\(secret)@h/db", "postgres://me:\(secret)@h/db%zz",
        ] {
            do {
                _ = try ClusterAddress.parse(bad)
                Issue.record("\(ClusterAddress.mask(bad)) parsed")
            } catch {
                #expect(!error.description.contains(secret), "\(error.description)")
                #expect(error.description.contains("postgres://USER"))
            }
        }
    }

    @Test("relay.json: cluster is read strictly (unknown fields, ranges, types with line:column)")
    func relayJSON() throws {
        let good = try RelaySettingsFile.parse(
            Array(#"{"version": 1, "cluster": {"url": "postgres://u@h/d", "advertise": "r1.example.com:2222", "heartbeatSeconds": 2}}"#.utf8),
            file: "relay.json")
        #expect(good.cluster == .init(url: "postgres://u@h/d", advertise: "r1.example.com:2222", heartbeatSeconds: 2))
        #expect(try RelaySettingsFile.parse(Array(#"{"version": 1}"#.utf8), file: "relay.json").cluster == nil)
        for (text, expected) in [
            (#"{"version": 1, "cluster": {"url": "postgres://u@h/d", "colour": 1}}"#, "colour"),
            (#"{"version": 1, "cluster": {"advertise": "a:1"}}"#, "url"),
            (#"{"version": 1, "cluster": {"url": "postgres://u@h/d", "heartbeatSeconds": 0}}"#, "heartbeatSeconds"),
            (#"{"version": 1, "cluster": {"url": "postgres://u@h/d", "advertise": "a b:1"}}"#, "advertise"),
            (#"{"version": 1, "cluster": {"url": 5}}"#, "url"),
        ] {
            do {
                _ = try RelaySettingsFile.parse(Array(text.utf8), file: "relay.json")
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.description.contains(expected), "\(error.description)")
                #expect(error.description.contains("relay.json:1:"), "\(error.description)")
            }
        }
    }
}
