import BurrowConfig
import Foundation
import TerminalUI

/// Reads theme JSON: `{"version": 1, "name": …, "description": …, "colors": {ROLE: COLOUR}}`,
/// strictly (unknown fields and roles refused, errors at line:column) through
/// BurrowConfig's `ThemeDocument`.
public enum ThemeFile {
    public static func parse(_ bytes: [UInt8], path: String) throws(ThemeError) -> Theme {
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        let document: ThemeDocument
        do throws(ConfigError) {
            document = try ThemeDocument.parse(bytes, file: fileName, roles: ThemeRole.allCases.map(\.rawValue)) { value in
                do throws(TerminalColorError) {
                    _ = try TerminalColor(parsing: value)
                    return nil
                } catch {
                    return error.description
                }
            }
        } catch {
            throw ThemeError(path: path, problem: error.description)
        }
        var colors: [ThemeRole: TerminalColor] = [:]
        for (role, value) in document.colors {
            // Both were checked by the document; `try?` never drops one here.
            if let role = ThemeRole(rawValue: role), let color = try? TerminalColor(parsing: value) { colors[role] = color }
        }
        let fallbackName = fileName.hasSuffix(".json") ? String(fileName.dropLast(5)) : fileName
        return Theme(name: document.name ?? fallbackName, description: document.description ?? "", colors: colors)
    }

    public static func load(path: String) throws(ThemeError) -> Theme {
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ThemeError(path: path, problem: "\(fileName): cannot read the file")
        }
        return try parse(Array(data), path: path)
    }
}
