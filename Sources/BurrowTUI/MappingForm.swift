import BurrowConfig
import BurrowCore
import TerminalUI

/// The add/edit form: its fields, the focused one, and validation with
/// BurrowCore's own messages (the ones `burrow map add` prints).
public struct MappingForm: Sendable, Equatable {
    public enum Field: Int, CaseIterable, Sendable, CyclicCase {
        case `protocol`, local, tunnel, name, remotePort, allow, deny, basicAuth, proxyProtocol, pool, httpsRedirect

        public var label: String {
            switch self {
            case .protocol: return "Protocol"
            case .local: return "Local port or host:port"
            case .tunnel: return "Tunnel (profile)"
            case .name: return "Name (optional)"
            case .remotePort: return "Remote port (optional)"
            case .allow: return "Allow from (CIDRs)"
            case .deny: return "Deny from (CIDRs)"
            case .basicAuth: return "Basic auth USER:PASSWORD"
            case .proxyProtocol: return "PROXY protocol"
            case .httpsRedirect: return "Plain http → https (308)"
            case .pool: return "Pool with other agents"
            }
        }

        /// Chosen with ←/→/space rather than typed.
        public var isChooser: Bool { self == .protocol || self == .tunnel || self == .proxyProtocol || self == .httpsRedirect || self == .pool }
    }

    /// The name of the mapping being edited; nil when adding.
    public var editing: String?
    public var mappingProtocol: MappingProtocol = .http
    public var local = ""
    /// "" = the selected profile (or the embedded relay), then profile names.
    public var tunnelChoices: [String] = [""]
    public var tunnelIndex = 0
    public var name = ""
    public var remotePort = ""
    public var enabled = true
    /// Networks as typed: `10.0.0.0/8, ::1`.
    public var allow = ""
    public var deny = ""
    /// `USER:PASSWORD` typed now; empty keeps `keptBasicAuth` (an edit), `-` removes it.
    public var basicAuth = ""
    public var keptBasicAuth: BasicAuthRule?
    /// nil = off.
    public var proxyProtocol: ProxyProtocolVersion?
    /// Plain-http visitors get 308 to the https URL (`--https-redirect`).
    public var httpsRedirect = false
    /// Serve the name (or port) with the owner's other agents (`--pool`).
    public var pool = false
    public var focus: Field = .local
    /// Set after Enter: also shows "required" errors for empty fields.
    public var submitted = false
    /// What the config store said when saving failed.
    public var saveError: String?
    /// Names of the other mappings, for the taken-name check.
    public var takenNames: Set<String> = []

    public init(profiles: [String], takenNames: Set<String>) {
        tunnelChoices = [""] + profiles
        self.takenNames = takenNames
    }

    public init(editing mapping: Mapping, profiles: [String], takenNames: Set<String>) {
        self.init(profiles: profiles, takenNames: takenNames.subtracting([mapping.name]))
        editing = mapping.name
        mappingProtocol = mapping.protocol
        local = mapping.local.description
        if let profile = mapping.profile {
            if !tunnelChoices.contains(profile) { tunnelChoices.append(profile) }
            tunnelIndex = tunnelChoices.firstIndex(of: profile) ?? 0
        }
        name = mapping.name
        remotePort = mapping.remotePort.map(String.init) ?? ""
        enabled = mapping.enabled
        allow = mapping.allow.map(\.description).joined(separator: ", ")
        deny = mapping.deny.map(\.description).joined(separator: ", ")
        keptBasicAuth = mapping.basicAuth
        proxyProtocol = mapping.proxyProtocol
        httpsRedirect = mapping.httpsRedirect
        pool = mapping.pool
    }

    public var profile: String? { tunnelChoices[tunnelIndex].isEmpty ? nil : tunnelChoices[tunnelIndex] }

    /// Spaces around a typed value are not part of it (" 3000" is port 3000).
    static func trimmed(_ text: String) -> String {
        String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    /// The error of each field that has one now.
    public var errors: [Field: String] {
        var errors: [Field: String] = [:]
        let local = Self.trimmed(self.local), name = Self.trimmed(self.name), remotePort = Self.trimmed(self.remotePort)
        if local.isEmpty {
            if submitted { errors[.local] = "a local port is required: use PORT or HOST:PORT (e.g. 3000)" }
        } else {
            do { _ = try LocalAddress(parsing: local) } catch { errors[.local] = error.description }
        }
        if !name.isEmpty {
            do {
                try DNSLabel.validate(name)
                if takenNames.contains(name) { errors[.name] = ConfigError.nameTaken(kind: "mapping", name: name).description }
            } catch { errors[.name] = error.description }
        }
        if !remotePort.isEmpty {
            do {
                let port = try LocalAddress.parsePort(remotePort)
                if mappingProtocol == .http || mappingProtocol == .tls {
                    // The CLI's words (ConfigStore.addMapping), so both say the same.
                    errors[.remotePort] = "--remote-port \(port) does not apply to \(mappingProtocol) mappings: \(mappingProtocol) is routed by name; use it with tcp or udp only"
                }
            } catch { errors[.remotePort] = error.description }
        }
        for (field, text) in [(Field.allow, allow), (.deny, deny)] {
            do { _ = try Mapping.parseNetworks(text) } catch { errors[field] = error.description }
        }
        if !basicAuth.isEmpty, basicAuth != "-" {
            do { _ = try BasicAuthRule.splitCredentials(basicAuth) } catch { errors[.basicAuth] = error.description }
        }
        if (!basicAuth.isEmpty && basicAuth != "-") || (basicAuth.isEmpty && keptBasicAuth != nil), mappingProtocol != .http {
            errors[.basicAuth] = "basic auth applies to http mappings only (type - to remove it)"
        }
        if let proxyProtocol, mappingProtocol != .tcp, mappingProtocol != .tls {
            errors[.proxyProtocol] = "PROXY protocol \(proxyProtocol) applies to tcp and tls mappings only"
        }
        if httpsRedirect, mappingProtocol != .http {
            errors[.httpsRedirect] = "the https redirect applies to http mappings only"
        }
        if pool, mappingProtocol == .udp {
            errors[.pool] = "pools spread http, tls and tcp visitors; not udp"
        }
        return errors
    }

    /// The mapping to save, or nil while a field is invalid.
    public var draft: MappingDraft? {
        let local = Self.trimmed(self.local), name = Self.trimmed(self.name), remotePort = Self.trimmed(self.remotePort)
        guard errors.isEmpty, let address = try? LocalAddress(parsing: local) else { return nil }
        var draft = MappingDraft(protocol: mappingProtocol, local: address, name: name.isEmpty ? nil : name,
                                 remotePort: remotePort.isEmpty ? nil : Int(remotePort), profile: profile, enabled: enabled)
        draft.allow = (try? Mapping.parseNetworks(allow)) ?? []
        draft.deny = (try? Mapping.parseNetworks(deny)) ?? []
        draft.basicAuthCredentials = basicAuth.isEmpty || basicAuth == "-" ? nil : basicAuth
        draft.keptBasicAuth = basicAuth.isEmpty ? keptBasicAuth : nil
        draft.proxyProtocol = proxyProtocol
        draft.httpsRedirect = httpsRedirect
        draft.pool = pool
        return draft
    }

    /// Text shown in a field.
    public func value(_ field: Field) -> String {
        switch field {
        case .protocol: return mappingProtocol.rawValue
        case .local: return local
        case .tunnel: return tunnelChoices[tunnelIndex].isEmpty ? "selected profile / embedded relay" : tunnelChoices[tunnelIndex]
        case .name: return name
        case .remotePort: return remotePort
        case .allow: return allow
        case .deny: return deny
        case .basicAuth:
            // The password is never shown, not even while typed.
            if basicAuth.isEmpty { return keptBasicAuth.map { "\($0.user) (kept; type USER:PASSWORD to change, - to remove)" } ?? "" }
            guard let colon = basicAuth.firstIndex(of: ":") else { return basicAuth }
            return String(basicAuth[...colon]) + String(repeating: "•", count: basicAuth.distance(from: colon, to: basicAuth.endIndex) - 1)
        case .proxyProtocol: return proxyProtocol?.rawValue ?? "off"
        case .httpsRedirect: return httpsRedirect ? "on" : "off"
        case .pool: return pool ? "on" : "off"
        }
    }

    /// Edits the focused field with one key; returns false for keys the form does not use.
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .tab, .down:
            focus = focus.next
        case .backTab, .up:
            focus = focus.previous
        case .left, .right, .char(" "):
            guard focus.isChooser else {
                if case .char(let character) = key { editText { if $0.count < 64 { $0.append(character) } } }
                break
            }
            let step = key == .left ? -1 : 1
            if focus == .httpsRedirect {
                httpsRedirect.toggle()
            } else if focus == .pool {
                pool.toggle()
            } else if focus == .proxyProtocol {
                let all: [ProxyProtocolVersion?] = [nil, .v1, .v2]
                let index = all.firstIndex(of: proxyProtocol) ?? 0
                proxyProtocol = all[(index + step + all.count) % all.count]
            } else if focus == .protocol {
                let all = MappingProtocol.allCases
                let index = all.firstIndex(of: mappingProtocol) ?? 0
                mappingProtocol = all[(index + step + all.count) % all.count]
            } else {
                tunnelIndex = (tunnelIndex + step + tunnelChoices.count) % tunnelChoices.count
            }
        case .backspace:
            editText { if !$0.isEmpty { $0.removeLast() } }
        case .ctrl("u"):
            editText { $0 = "" }
        case .char(let character):
            if focus == .protocol {
                // Typing the first letter picks a protocol: h, t(cp), u, l for tls.
                let picks: [Character: MappingProtocol] = ["h": .http, "t": .tcp, "u": .udp, "l": .tls, "s": .tls]
                if let pick = picks[Character(character.lowercased())] { mappingProtocol = pick }
            } else if !focus.isChooser {
                editText { if $0.count < 200 { $0.append(character) } }
            }
        default:
            return false
        }
        saveError = nil
        return true
    }

    private mutating func editText(_ change: (inout String) -> Void) {
        switch focus {
        case .local: change(&local)
        case .name: change(&name)
        case .remotePort: change(&remotePort)
        case .allow: change(&allow)
        case .deny: change(&deny)
        case .basicAuth: change(&basicAuth)
        case .protocol, .tunnel, .proxyProtocol, .httpsRedirect, .pool: break
        }
    }
}
