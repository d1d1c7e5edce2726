import Foundation

/// Let's Encrypt's test ACME server (Debian's `pebble`), started for one test
/// on loopback ports it is told, with a WFE certificate made here by openssl,
/// and `pebble-challtestsrv` as its DNS server (every name → 127.0.0.1), so
/// its validation authority reaches our challenge answers on loopback.
/// One shell script owns both processes and stops them when told (or after
/// its own time limit), so nothing outlives the test.
public final class Pebble {
    public let directory: String
    public let directoryURL: String
    public let wfeCAFile: String
    public let managementPort: Int
    let stopFile: String
    private let runner: Task<SpawnedProcess.Result, Error>

    public struct Unavailable: Error, CustomStringConvertible { public let description: String }

    /// `httpPort`/`tlsPort`: where the validation authority connects for HTTP-01 / TLS-ALPN-01.
    public init(httpPort: Int, tlsPort: Int, rejectNoncePercent: Int = 0, certificateValiditySeconds: Int? = nil, lifetimeSeconds: Int = 300) async throws {
        guard (try? SpawnedProcess.which("pebble")) != nil, (try? SpawnedProcess.which("pebble-challtestsrv")) != nil else {
            throw Unavailable(description: "pebble is not installed (apt-get install pebble; .ci/run does)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("burrow-pebble-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ports = try FreePorts.take(4)
        let (acme, management, dns, challengeManagement) = (ports[0], ports[1], ports[2], ports[3])
        directoryURL = "https://127.0.0.1:\(acme)/dir"
        managementPort = management
        wfeCAFile = directory + "/wfe.pem"
        stopFile = directory + "/stop"
        let config = """
        {"pebble": {"listenAddress": "127.0.0.1:\(acme)", "managementListenAddress": "127.0.0.1:\(management)",
          "certificate": "\(directory)/wfe.pem", "privateKey": "\(directory)/wfe-key.pem",
          "httpPort": \(httpPort), "tlsPort": \(tlsPort), "ocspResponderURL": "", "externalAccountBindingRequired": false\(certificateValiditySeconds.map { ", \"certificateValidityPeriod\": \($0)" } ?? "")}}
        """
        try config.write(toFile: directory + "/pebble.json", atomically: true, encoding: .utf8)
        let script = """
        cd '\(directory)'
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout wfe-key.pem -out wfe.pem -days 2 \
          -subj /CN=pebble -addext subjectAltName=IP:127.0.0.1,DNS:localhost 2>/dev/null || exit 3
        pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 '' -dns01 127.0.0.1:\(dns) -management 127.0.0.1:\(challengeManagement) \
          -http01 '' -https01 '' -tlsalpn01 '' > challtestsrv.log 2>&1 &
        dns=$!
        for i in $(seq 1 600); do curl -s -o /dev/null http://127.0.0.1:\(challengeManagement)/ && break; sleep 0.1; done
        PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=\(rejectNoncePercent) \
          pebble -config pebble.json -dnsserver 127.0.0.1:\(dns) > pebble.log 2>&1 &
        acme=$!
        trap 'kill $acme $dns 2>/dev/null; wait' EXIT
        for i in $(seq 1 \(lifetimeSeconds * 10)); do [ -e stop ] && exit 0; sleep 0.1; done
        """
        runner = Task { try await SpawnedProcess.run("/bin/sh", ["-c", script], timeout: .seconds(lifetimeSeconds + 30)) }
        try await waitForDirectory()
    }

    private func waitForDirectory() async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            let probe = try await SpawnedProcess.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", wfeCAFile, directoryURL], timeout: .seconds(30))
            if probe.stdout == "200" { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Unavailable(description: "pebble did not answer at \(directoryURL): \(log)")
    }

    /// The root pebble signs issued certificates with (it makes a new one each start).
    public func issuingRootFile() async throws -> String {
        let path = directory + "/root.pem"
        let fetch = try await SpawnedProcess.run("/usr/bin/curl", ["-sS", "--cacert", wfeCAFile, "-o", path, "https://127.0.0.1:\(managementPort)/roots/0"], timeout: .seconds(30))
        guard fetch.status == 0 else { throw Unavailable(description: "pebble's root: \(fetch.stderr)") }
        return path
    }

    public var log: String {
        (try? String(contentsOfFile: directory + "/pebble.log", encoding: .utf8)) ?? ""
    }

    public func stop() async {
        _ = FileManager.default.createFile(atPath: stopFile, contents: nil)
        _ = try? await runner.value
        try? FileManager.default.removeItem(atPath: directory)
    }
}
