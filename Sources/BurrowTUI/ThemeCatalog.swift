import Foundation

/// Every theme a person can pick: the four shipped ones (compiled in, so
/// they work wherever the binary is installed), then the JSON files of
/// `directories` (`CONFIG_DIR/themes`; later wins on equal names). Files
/// with errors are left out and reported in `problems`.
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
        var byName = Dictionary(Theme.allShipped.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
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
}
