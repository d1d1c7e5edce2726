import Foundation

/// Copying text for the person: the OSC 52 sequence (local terminals, SSH,
/// tmux with `set-clipboard on`) and, when one exists, a desktop clipboard
/// tool.
public enum Clipboard {
    /// `ESC ] 52 ; c ; BASE64 BEL`: asks the terminal to set its clipboard.
    public static func osc52(_ text: String) -> String {
        "\u{1b}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}"
    }

    /// The desktop tools to try, in order, with the session each needs.
    static func desktopTools(environment: [String: String]) -> [(name: String, arguments: [String])] {
        var tools: [(String, [String])] = []
        if environment["WAYLAND_DISPLAY"] != nil { tools.append(("wl-copy", [])) }
        if environment["DISPLAY"] != nil {
            tools.append(("xclip", ["-selection", "clipboard"]))
            tools.append(("xsel", ["-b", "-i"]))
        }
        tools.append(("pbcopy", []))
        return tools
    }

    /// Sends `text` to the terminal's clipboard through `screen`, and to the
    /// first desktop tool found. Returns the names of what was used.
    @discardableResult
    public static func copy(_ text: String, to screen: Screen,
                            environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        screen.writeControlSequence(osc52(text))
        var used = ["OSC 52"]
        for tool in desktopTools(environment: environment) {
            guard let path = ExternalTool.find(tool.name, environment: environment) else { continue }
            if ExternalTool.run(path, tool.arguments, input: text) {
                used.append(tool.name)
                break
            }
        }
        return used
    }
}
