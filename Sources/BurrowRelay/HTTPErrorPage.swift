import NIOCore

/// The relay's own answers to a visitor it cannot route: a complete HTTP/1.1
/// response with a small HTML page, after which the connection closes.
enum HTTPErrorPage {
    static func notFound(host: String, domain: String) -> String {
        response(
            status: "404 Not Found", title: "No tunnel named \(host)",
            message: "This Burrow relay has no tunnel for <b>\(escape(host))</b>. Tunnels here are named NAME.\(escape(domain)); check the address.")
    }

    static func offline(host: String) -> String {
        response(
            status: "502 Bad Gateway", title: "Tunnel offline",
            message: "The tunnel <b>\(escape(host))</b> is offline: its agent is not connected to this relay right now. Try again when it is back.")
    }

    static func badRequest(_ reason: String) -> String {
        response(status: "400 Bad Request", title: "Bad request", message: escape(reason))
    }

    /// A later request on a kept-alive connection named another host than the one it was routed to.
    static func misdirected(host: String, routed: String) -> String {
        response(
            status: "421 Misdirected Request", title: "Misdirected request",
            message: "This connection goes to <b>\(escape(routed))</b>; open a new connection for <b>\(escape(host))</b>.")
    }

    /// A permanent redirect that keeps the method and body (308, RFC 9110 §15.4.9).
    static func redirect(to location: String) -> String {
        response(
            status: "308 Permanent Redirect", title: "Moved to https",
            message: "This address is served over https: <a href=\"\(escape(location))\">\(escape(location))</a>.",
            extraHeaders: "Location: \(location)\r\n")
    }

    static func unavailable() -> String {
        response(status: "503 Service Unavailable", title: "Relay shutting down", message: "This Burrow relay is shutting down. Try again soon.")
    }

    static func tooManyRequests(perSecond: Int) -> String {
        response(
            status: "429 Too Many Requests", title: "Too many connections",
            message: "Your address opened more than \(perSecond) new connections per second to this relay. Slow down and try again.",
            extraHeaders: "Retry-After: 1\r\n")
    }

    static func requestTimeout(seconds: Double) -> String {
        response(
            status: "408 Request Timeout", title: "Request timeout",
            message: "The relay waited \(formatSeconds(seconds)) for the request head and gave up.")
    }

    static func headTooLarge(maximum: Int) -> String {
        response(
            status: "431 Request Header Fields Too Large", title: "Request head too large",
            message: "The request head is larger than this relay accepts (\(maximum) bytes).")
    }

    /// A visitor limit of the tunnel's owner bit (`reason` names it).
    static func overLimit(host: String, reason: String) -> String {
        response(
            status: "503 Service Unavailable", title: "Tunnel busy",
            message: "The tunnel <b>\(escape(host))</b> is at its limit: \(escape(reason)). Try again soon.",
            extraHeaders: "Retry-After: 5\r\n")
    }

    static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }

    static func response(status: String, title: String, message: String, extraHeaders: String = "") -> String {
        let body = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>\(escape(title))</title></head>
            <body><h1>\(escape(title))</h1><p>\(message)</p><hr><p>burrow relay</p></body></html>

            """
        return "HTTP/1.1 \(status)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\nCache-Control: no-store\r\n\(extraHeaders)\r\n" + body
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
