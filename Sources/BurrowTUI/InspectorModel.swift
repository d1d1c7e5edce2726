import BurrowCore
import TerminalUI

/// Exchange → lines to read: the request line and facts, the headers
/// (secrets masked unless revealed), the bodies by content type, the
/// response; and a replay's answer. Pure.
public enum InspectorModel {
    /// The whole record of an exchange.
    public static func record(_ exchange: HTTPExchange, revealed: Bool, width: Int) -> [InspectorLine] {
        var lines: [InspectorLine] = [InspectorLine("\(exchange.method) \(exchange.target) \(exchange.version)", .title, bold: true)]
        var facts = ["#\(exchange.id)", exchange.mapping, Format.clock(exchange.time)]
        if let visitor = exchange.visitor { facts.append("from \(visitor)") }
        if let original = exchange.replayOf { facts.append("replay of #\(original)") }
        lines.append(InspectorLine(facts.joined(separator: " · "), .muted))
        lines.append(InspectorLine(timings(exchange)))
        lines.append(InspectorLine("request body \(Format.bytes(exchange.requestBodyBytes)) · response body \(Format.bytes(exchange.responseBodyBytes))"))
        lines.append(InspectorLine(""))
        lines += headerLines("REQUEST HEADERS", exchange.requestHeaders, revealed: revealed)
        lines.append(InspectorLine(""))
        lines.append(InspectorLine("REQUEST BODY", .muted, bold: true))
        lines += body(exchange.requestBody, total: exchange.requestBodyBytes, headers: exchange.requestHeaders, width: width)
        lines.append(InspectorLine(""))
        lines += response(exchange, revealed: revealed, width: width)
        return wrap(lines, to: width)
    }

    /// A replay's column: what was sent when edited, then the answer.
    public static func replay(_ replay: Inspector.Replay, revealed: Bool, width: Int) -> [InspectorLine] {
        var lines: [InspectorLine] = []
        switch replay {
        case .confirming(let method, _):
            lines.append(InspectorLine("REPLAY", .muted, bold: true))
            lines.append(InspectorLine("\(method) is not idempotent: replay it? y/n", .warning, bold: true))
        case .editing:
            lines.append(InspectorLine("REPLAY", .muted, bold: true))
            lines.append(InspectorLine("editing the request in $EDITOR…", .muted))
        case .sending(let edited):
            lines.append(InspectorLine(edited ? "REPLAY (edited)" : "REPLAY", .muted, bold: true))
            lines.append(InspectorLine("replaying…", .warning))
        case .failed(let message):
            lines.append(InspectorLine("REPLAY", .muted, bold: true))
            lines.append(InspectorLine(message, .error, bold: true))
        case .done(let exchange, let edited):
            lines.append(InspectorLine("REPLAY #\(exchange.id)" + (edited ? " (edited)" : "") + (exchange.replayOf.map { " of #\($0)" } ?? ""),
                                       .muted, bold: true))
            if edited {
                lines.append(InspectorLine("\(exchange.method) \(exchange.target) \(exchange.version)", .title, bold: true))
            }
            lines.append(InspectorLine(timings(exchange)))
            lines.append(InspectorLine("response body \(Format.bytes(exchange.responseBodyBytes))"))
            lines.append(InspectorLine(""))
            lines += response(exchange, revealed: revealed, width: width)
        }
        return wrap(lines, to: width)
    }

    static func timings(_ exchange: HTTPExchange) -> String {
        let answered: String
        switch exchange.answeredBy {
        case .localService: answered = "answered by the local service"
        case .agent: answered = "answered by the agent (the local service did not)"
        case .relay: answered = "answered by the relay (refused before the tunnel)"
        }
        let first = exchange.firstByteMs.map { Format.duration(milliseconds: $0) } ?? "–"
        let total = exchange.totalMs.map { Format.duration(milliseconds: $0) } ?? "–"
        return "\(answered) · first byte \(first) · total \(total)"
    }

    static func response(_ exchange: HTTPExchange, revealed: Bool, width: Int) -> [InspectorLine] {
        guard let status = exchange.status else { return [InspectorLine("(no response)", .muted)] }
        var lines = [InspectorLine("\(exchange.version) \(status)" + (exchange.reason.map { " \($0)" } ?? ""), ThemeRole.forStatus(status), bold: true)]
        lines += headerLines("RESPONSE HEADERS", exchange.responseHeaders, revealed: revealed)
        lines.append(InspectorLine(""))
        lines.append(InspectorLine("RESPONSE BODY", .muted, bold: true))
        lines += body(exchange.responseBody, total: exchange.responseBodyBytes, headers: exchange.responseHeaders, width: width)
        return lines
    }

    static func headerLines(_ title: String, _ headers: [HTTPHeaderField], revealed: Bool) -> [InspectorLine] {
        var lines = [InspectorLine(title, .muted, bold: true)]
        if headers.isEmpty { lines.append(InspectorLine("(none)", .muted)) }
        for field in headers {
            let secret = HeaderMask.isSecret(field.name)
            let value = secret && !revealed ? HeaderMask.mask(name: field.name, value: field.value) : field.value
            lines.append(InspectorLine("\(field.name): \(value)", secret ? .warning : .text))
        }
        return lines
    }

    static func body(_ bytes: [UInt8], total: UInt64, headers: [HTTPHeaderField], width: Int) -> [InspectorLine] {
        let text = BodyText.lines(bytes, totalBytes: total, mediaType: BodyText.mediaType(headers),
                                  encoding: BodyText.header("content-encoding", in: headers), width: width)
        return text.enumerated().map { index, line in InspectorLine(line, index == 0 ? .muted : .text) }
    }

    /// Long lines broken at the width (continuations indented by two), so
    /// indentation, JSON and hex dumps keep their columns.
    static func wrap(_ lines: [InspectorLine], to width: Int) -> [InspectorLine] {
        guard width > 4 else { return lines }
        var out: [InspectorLine] = []
        out.reserveCapacity(lines.count)
        for line in lines {
            // A character takes at least as many UTF-8 bytes as cells: short lines skip the measuring.
            if line.text.utf8.count <= width || TextWidth.of(line.text) <= width {
                out.append(line)
                continue
            }
            var rest = Substring(line.text)
            var first = true
            while !rest.isEmpty {
                let room = first ? width : width - 2
                var piece = ""
                var used = 0
                for character in rest {
                    let w = TextWidth.of(character)
                    if used + w > room { break }
                    piece.append(character)
                    used += w
                }
                if piece.isEmpty { break }
                rest = rest.dropFirst(piece.count)
                out.append(InspectorLine(first ? piece : "  " + piece, line.role, bold: line.bold))
                first = false
            }
        }
        return out
    }
}
