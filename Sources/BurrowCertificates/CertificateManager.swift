import Foundation
import Synchronization

/// Keeps a certificate for every name the relay serves over https, from one
/// of three sources, and hands the TLS port a ready context without waiting:
///
/// - `.acme`: obtained when a name is first registered (never for a name no
///   key holds, so an arbitrary SNI cannot spend the relay's rate limits),
///   stored in the state directory, renewed at two thirds of its lifetime,
///   retried with doubling back-off (1 minute to 6 hours) after a failure.
/// - `.localAuthority`: signed at once by the machine's local CA (`*.localhost`).
/// - `.files`: one pair given by the user (a wildcard or a list of names),
///   re-read when the files change; a bad new pair keeps the old one.
public actor CertificateManager {
    public enum Source: Sendable {
        case acme(ACMEIssuer)
        case localAuthority(LocalCertificateAuthority)
        case files(chainPath: String, keyPath: String)
    }

    public typealias Listener = @Sendable (_ name: String, _ status: CertificateStatus) -> Void

    let source: Source
    let store: CertificateStore
    let alpn: [String]
    let ready = Mutex<[String: ServingCertificate]>([:])
    /// The one pair of `.files`, whatever the name.
    let filePair = Mutex<(ServingCertificate, CertificatePair)?>(nil)
    private var statuses: [String: CertificateStatus] = [:]
    private var inFlight: [String: Task<Void, Never>] = [:]
    private var failures: [String: Int] = [:]
    private var listener: Listener?
    private var fileStamp: String?

    static let firstBackoff: Double = 60
    static let maxBackoff: Double = 6 * 3600
    /// First certificates (not renewals) asked of the ACME server per hour:
    /// on a relay that lets any key in, strangers registering names must not
    /// spend the domain's rate limits (Let's Encrypt: 50 per week).
    let newOrdersPerHour: Int
    private var newOrderTimes: [Date] = []

    /// How often the relay calls `tick()`: files are looked at every few
    /// seconds (a renewal by certbot should be served soon), ACME every minute.
    public nonisolated var tickInterval: Duration {
        if case .files = source { return .seconds(5) }
        return .seconds(60)
    }

    public init(source: Source, stateDirectory: String, alpn: [String] = ["http/1.1"], newOrdersPerHour: Int = 20) {
        self.newOrdersPerHour = newOrdersPerHour
        self.source = source
        self.store = CertificateStore(stateDirectory: stateDirectory)
        self.alpn = alpn
    }

    public func onStatus(_ listener: @escaping Listener) {
        self.listener = listener
    }

    /// The certificate to present for `name` now, or nil (the handshake then
    /// fails cleanly). Called from event loops: no actor hop, no I/O.
    public nonisolated func serving(_ name: String) -> ServingCertificate? {
        let name = name.lowercased()
        if let pair = filePair.withLock({ $0 }) {
            return pair.1.covers(name) ? pair.0 : nil
        }
        return ready.withLock { $0[name] }
    }

    /// A name's status; for `.files`, the chain file's path gives the last reload's.
    public func status(of name: String) -> CertificateStatus? {
        if let status = statuses[name] { return status }
        if let pair = filePair.withLock({ $0?.1 }), pair.covers(name) { return .ready(notValidAfter: pair.notValidAfter) }
        return statuses[name.lowercased()]
    }

    /// A key now holds `name`: make sure it has a certificate (at once from a
    /// stored one or the local CA; in the background from ACME).
    public func nameRegistered(_ name: String) {
        let name = name.lowercased()
        switch source {
        case .files:
            reloadFiles()
        case .localAuthority(let authority):
            if serving(name) != nil { return }
            do {
                try install(authority.issue(names: [name]), for: name)
            } catch {
                set(name, .failed(reason: "\(error)", retryAt: Date().addingTimeInterval(Self.maxBackoff)))
            }
        case .acme(let issuer):
            if inFlight[name] != nil { return }
            if serving(name) == nil, let stored = try? store.load(name) {
                try? install(stored, for: name)
            }
            if let current = serving(name)?.issued,
               let renewAt = try? CertificateValidity.renewalDate(pem: current.chainPEM), renewAt > Date() {
                return
            }
            if case .failed(_, let retryAt) = statuses[name], retryAt > Date() { return }
            if serving(name) == nil {
                // A first certificate: within the hourly budget only.
                let now = Date()
                newOrderTimes.removeAll { now.timeIntervalSince($0) > 3600 }
                guard newOrderTimes.count < newOrdersPerHour else {
                    let retryAt = (newOrderTimes.first ?? now).addingTimeInterval(3600)
                    set(name, .failed(reason: "this relay asks for at most \(newOrdersPerHour) new certificates per hour; next try after \(retryAt)", retryAt: retryAt))
                    return
                }
                newOrderTimes.append(now)
                set(name, .pending)
            }
            inFlight[name] = Task { await self.obtain(name, issuer: issuer) }
        }
    }

    /// Renews what is due and retries what failed; the relay calls this every minute.
    public func tick() {
        switch source {
        case .files:
            reloadFiles()
        case .acme:
            for name in statuses.keys { nameRegistered(name) }
        case .localAuthority:
            for name in statuses.keys {
                if let current = serving(name)?.issued, let renewAt = try? CertificateValidity.renewalDate(pem: current.chainPEM), renewAt <= Date() {
                    ready.withLock { _ = $0.removeValue(forKey: name) }
                    nameRegistered(name)
                }
            }
        }
    }

    /// Waits for the obtain in flight for `name`, if any (tests, shutdown).
    public func settle(_ name: String) async {
        await inFlight[name.lowercased()]?.value
    }

    private func obtain(_ name: String, issuer: ACMEIssuer) async {
        defer { inFlight[name] = nil }
        do {
            let issued = try await issuer.obtain(names: [name])
            try store.save(issued)
            try install(issued, for: name)
            failures[name] = nil
        } catch {
            let count = (failures[name] ?? 0) + 1
            failures[name] = count
            let delay = min(Self.firstBackoff * pow(2, Double(count - 1)), Self.maxBackoff) * Double.random(in: 0.9...1.1)
            // A certificate still valid keeps serving; the failure is reported all the same.
            set(name, .failed(reason: "\(error)", retryAt: Date().addingTimeInterval(delay)))
        }
    }

    private func install(_ issued: IssuedCertificate, for name: String) throws {
        let serving = try ServingCertificate(issued, alpn: alpn)
        ready.withLock { $0[name] = serving }
        set(name, .ready(notValidAfter: issued.notValidAfter))
    }

    private func set(_ name: String, _ status: CertificateStatus) {
        guard statuses[name] != status else { return }
        statuses[name] = status
        listener?(name, status)
    }

    /// `.files`: (re)load the pair when either file changed. A bad pair
    /// keeps the one in use and is reported once per change.
    private func reloadFiles() {
        guard case .files(let chainPath, let keyPath) = source else { return }
        let stamp = Self.stamp(chainPath) + "|" + Self.stamp(keyPath)
        guard stamp != fileStamp else { return }
        fileStamp = stamp
        do {
            guard let chain = FileManager.default.contents(atPath: chainPath), let key = FileManager.default.contents(atPath: keyPath) else {
                throw CertificateError.unreadable(path: chainPath, reason: "cannot read \(chainPath) or \(keyPath)")
            }
            let chainText = String(decoding: chain, as: UTF8.self), keyText = String(decoding: key, as: UTF8.self)
            let pair = try CertificatePair.check(chainPEM: chainText, keyPEM: keyText, chainPath: chainPath, keyPath: keyPath)
            let serving = try ServingCertificate(IssuedCertificate(names: pair.names, chainPEM: chainText, privateKeyPEM: keyText, notValidAfter: pair.notValidAfter), alpn: alpn)
            filePair.withLock { $0 = (serving, pair) }
            for name in pair.names { set(name, .ready(notValidAfter: pair.notValidAfter)) }
        } catch {
            let keeping = filePair.withLock { $0 != nil } ? " (still serving the previous certificate)" : ""
            set(chainPath, .failed(reason: "\(error)\(keeping)", retryAt: Date()))
        }
    }

    /// Size, mtime and inode: a renewal that renames a new file in changes one of them.
    static func stamp(_ path: String) -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return "missing" }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let inode = (attributes[.systemFileNumber] as? NSNumber)?.intValue ?? 0
        return "\(size)-\(modified)-\(inode)"
    }
}
