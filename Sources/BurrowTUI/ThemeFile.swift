import Foundation
import TerminalUI

/// Reads theme JSON: `{"version": 1, "name": …, "description": …, "colors": {ROLE: COLOUR}}`.
public enum ThemeFile {
    public static func parse(_ bytes: [UInt8], path: String) throws(ThemeError) -> Theme {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw ThemeError(path: path, problem: "not valid JSON (\(Self.reason(error)))")
        }
        guard let root = object as? [String: Any] else {
            throw ThemeError(path: path, problem: "expected a JSON object with \"name\" and \"colors\"")
        }
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        let fallbackName = fileName.hasSuffix(".json") ? String(fileName.dropLast(5)) : fileName
        let name = (root["name"] as? String) ?? fallbackName
        let description = (root["description"] as? String) ?? ""
        guard let colorsObject = root["colors"] else {
            throw ThemeError(path: path, problem: "missing \"colors\" (an object of role → colour)")
        }
        guard let colors = colorsObject as? [String: Any] else {
            throw ThemeError(path: path, problem: "\"colors\" must be an object of role → colour")
        }
        var parsed: [ThemeRole: TerminalColor] = [:]
        for key in colors.keys.sorted() {
            guard let role = ThemeRole(rawValue: key) else {
                let known = ThemeRole.allCases.map(\.rawValue).joined(separator: ", ")
                throw ThemeError(path: path, problem: "unknown role \"\(key)\" (roles: \(known))")
            }
            let value: String
            if let text = colors[key] as? String {
                value = text
            } else if let number = colors[key] as? Int {
                value = String(number)
            } else {
                throw ThemeError(path: path, problem: "colour of \"\(key)\" must be a string or a number 0-255")
            }
            do {
                parsed[role] = try TerminalColor(parsing: value)
            } catch {
                throw ThemeError(path: path, problem: "\"\(key)\": \(error)")
            }
        }
        return Theme(name: name, description: description, colors: parsed)
    }

    public static func load(path: String) throws(ThemeError) -> Theme {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ThemeError(path: path, problem: "cannot read the file")
        }
        return try parse(Array(data), path: path)
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        return (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? "syntax error"
    }
}
