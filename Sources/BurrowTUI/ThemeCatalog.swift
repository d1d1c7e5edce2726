import Foundation

/// Every theme a person can pick: the built-in default, the shipped
/// `Themes/*.json`, then `CONFIG_DIR/themes/*.json` (which win on equal
/// names). Files with errors are left out and reported in `problems`.
public struct ThemeCatalog: Sendable {
    public private(set) var themes: [Theme]
    public private(set) var problems: [ThemeError]

    /// The order people see with `t`: the four shipped ones first.
    static let preferredOrder = ["default", "light", "high-contrast", "monochrome"]

    public init(themes: [Theme], problems: [ThemeError] = []) {
        self.themes = themes
        self.problems = problems
    }

    public static func load(directories: [String]) -> ThemeCatalog {
        var byName: [String: Theme] = ["default": .builtInDefault, "monochrome": .monochrome]
        var problems: [ThemeError] = []
        for directory in directories {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for file in names.sorted() where file.hasSuffix(".json") {
                do {
                    let theme = try ThemeFile.load(path: "\(directory)/\(file)")
                    byName[theme.name] = theme
                } catch {
                    problems.append(error)
                }
            }
        }
        let ordered = byName.values.sorted { a, b in
            let ia = preferredOrder.firstIndex(of: a.name) ?? Int.max
            let ib = preferredOrder.firstIndex(of: b.name) ?? Int.max
            return ia != ib ? ia < ib : a.name < b.name
        }
        return ThemeCatalog(themes: ordered, problems: problems)
    }

    public var names: [String] { themes.map(\.name) }

    public func theme(named name: String?) -> Theme? {
        guard let name else { return nil }
        return themes.first { $0.name == name }
    }

    /// The shipped `Themes` folder: searched upward from the executable's
    /// directory (it sits in the package root, above `.build/…/debug`).
    public static func findShippedDirectory(executablePath: String) -> String? {
        var directory = (executablePath as NSString).deletingLastPathComponent
        for _ in 0..<8 {
            let candidate = directory + "/Themes"
            if FileManager.default.fileExists(atPath: candidate + "/default.json") { return candidate }
            let parent = (directory as NSString).deletingLastPathComponent
            if parent == directory || parent.isEmpty { break }
            directory = parent
        }
        return nil
    }

    /// The path of the running executable (`/proc/self/exe` on Linux).
    public static func executablePath() -> String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        return CommandLine.arguments.first ?? "."
    }
}
