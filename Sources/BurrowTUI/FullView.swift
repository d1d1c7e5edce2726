import BurrowCore

/// A window with the whole text of something the panes cut: every log line,
/// or every field of the selected mapping. Scrolls; Esc closes.
public struct FullView: Sendable, Equatable {
    public enum Subject: Sendable, Equatable {
        case log
        case mapping(String)
    }

    public var subject: Subject
    /// The first wrapped line shown.
    public var scroll = 0

    public init(subject: Subject, scroll: Int = 0) {
        self.subject = subject
        self.scroll = scroll
    }

    /// One paragraph of the view: wrapped to the window's width when drawn.
    public struct Paragraph: Sendable, Equatable {
        public var text: String
        public var role: ThemeRole
        public var bold = false
    }

    public func title(_ state: AppState) -> String {
        switch subject {
        case .log: return "Log · \(state.log.count) lines, newest first"
        case .mapping(let name): return "Mapping \(name)"
        }
    }

    public func paragraphs(_ state: AppState) -> [Paragraph] {
        switch subject {
        case .log:
            if state.log.isEmpty { return [Paragraph(text: "no events yet", role: .muted)] }
            return state.log.map { Paragraph(text: Format.clock($0.time) + " " + $0.text, role: $0.role) }
        case .mapping(let name):
            guard let source = state.visibleMappings.first(where: { $0.mapping.name == name })
                ?? state.mappings.first(where: { $0.name == name }).map({ MappingRowSource(mapping: $0, live: nil, tunnel: $0.profile ?? "") })
            else { return [Paragraph(text: "\(name) was removed", role: .muted)] }
            var lines = Self.mappingParagraphs(source, now: state.now)
            // A fleet's mapping: each relay of its tunnel and that connection's state.
            if let tunnel = state.snapshot.tunnels.first(where: { $0.profile == source.tunnel }), !tunnel.members.isEmpty,
               let at = lines.firstIndex(where: { $0.text.hasPrefix("State ") }) {
                lines.insert(Paragraph(text: "Relays      " + Self.relaysText(tunnel.members), role: .text), at: at + 1)
            }
            return lines
        }
    }

    /// `127.0.0.1:2222 online · 127.0.0.1:2223 reconnecting · …`
    static func relaysText(_ members: [RelayMemberSnapshot]) -> String {
        members.map { member in
            let word: String
            switch member.state {
            case .connecting: word = "connecting"
            case .online: word = "online"
            case .reconnecting: word = "reconnecting"
            case .offline: word = "offline"
            }
            return "\(member.relay) \(word)"
        }.joined(separator: " · ")
    }

    static func mappingParagraphs(_ source: MappingRowSource, now: Double) -> [Paragraph] {
        let mapping = source.mapping
        let live = source.live
        let row = MappingRow.make(source)
        let model = DetailModel.make(source, now: now)
        var lines: [Paragraph] = [
            Paragraph(text: "Public URL  " + (live?.publicURL?.description ?? "(none yet)"), role: .title, bold: true),
            Paragraph(text: "Local       \(mapping.local)  (\(mapping.protocol))", role: .text),
            Paragraph(text: "Tunnel      \(source.tunnel)", role: .text),
            Paragraph(text: "State       " + (row.url.hasPrefix("refused") ? row.url : row.status.text), role: row.status.role),
        ]
        if let also = live?.alsoURL { lines.insert(Paragraph(text: "Also        \(also)", role: .text), at: 1) }
        if let rules = mapping.rulesSummary { lines.append(Paragraph(text: "Rules       \(rules)", role: .text)) }
        if let remotePort = mapping.remotePort { lines.append(Paragraph(text: "Remote port \(remotePort)", role: .text)) }
        lines.append(Paragraph(text: "Visitors    " + model.stats.map { "\($0.label) \($0.value)" }.joined(separator: "   "), role: .text))
        lines.append(Paragraph(text: "Bytes       " + model.bytes, role: .text))
        lines.append(Paragraph(text: "", role: .text))
        lines.append(Paragraph(text: "LATEST VISITORS", role: .muted, bold: true))
        if model.visitors.isEmpty { lines.append(Paragraph(text: "no visitors yet", role: .muted)) }
        for visitor in model.visitors {
            lines.append(Paragraph(text: "\(visitor.address)   \(visitor.when)   \(visitor.duration)   \(visitor.bytes)", role: .text))
        }
        if let requests = model.requests {
            lines.append(Paragraph(text: "", role: .text))
            lines.append(Paragraph(text: "LATEST HTTP REQUESTS", role: .muted, bold: true))
            if requests.isEmpty { lines.append(Paragraph(text: "no requests yet", role: .muted)) }
            for request in requests {
                lines.append(Paragraph(text: "\(request.time) \(request.method) \(request.status) \(request.path)   \(request.duration)   \(request.size)",
                                       role: request.statusRole))
            }
        }
        return lines
    }
}
