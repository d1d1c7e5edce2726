/// Re-indents JSON text for reading: two spaces a level, one member or
/// element a line. It only moves whitespace (strings are copied as they
/// are), so a body cut at 64 KiB or slightly off JSON still comes out
/// readable instead of failing.
public enum JSONPretty {
    public static func format(_ text: String, indent: String = "  ") -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + text.utf8.count / 4)
        var depth = 0
        var inString = false
        var escaped = false
        // An opening bracket waits here until we know whether it is empty ("{}").
        var pendingOpen: Character?

        func newline() {
            out.append("\n")
            for _ in 0..<max(0, depth) { out.append(indent) }
        }
        func flushOpen() {
            guard let open = pendingOpen else { return }
            pendingOpen = nil
            out.append(open)
            depth += 1
            newline()
        }

        for character in text {
            if inString {
                out.append(character)
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inString = false
                }
                continue
            }
            switch character {
            case " ", "\t", "\n", "\r":
                continue
            case "{", "[":
                flushOpen()
                pendingOpen = character
            case "}", "]":
                if let open = pendingOpen {
                    // An empty object or array stays on one line.
                    pendingOpen = nil
                    out.append(open)
                    out.append(character)
                } else {
                    depth -= 1
                    newline()
                    out.append(character)
                }
            case ",":
                flushOpen()
                out.append(",")
                newline()
            case ":":
                flushOpen()
                out.append(": ")
            case "\"":
                flushOpen()
                inString = true
                out.append(character)
            default:
                flushOpen()
                out.append(character)
            }
        }
        if let open = pendingOpen { out.append(open) }
        return out
    }
}
