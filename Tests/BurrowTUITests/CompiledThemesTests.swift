import BurrowTUI
import Foundation
import Testing

/// The shipped themes live in the binary (an installed `burrow` has no
/// Themes folder beside it) and `Themes/*.json` stays their editable source.
@Suite struct CompiledThemesTests {
    @Test func compiledCopiesEqualTheThemesFolder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.themesDirectory).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files == ShippedThemes.files.map { $0.name + ".json" }.sorted())
        for (name, json) in ShippedThemes.files {
            let text = try String(contentsOfFile: Fixtures.themesDirectory + "/\(name).json", encoding: .utf8)
            #expect(json + "\n" == text, "Sources/BurrowTUI/ShippedThemes.swift: the copy of Themes/\(name).json differs; paste the file in")
        }
    }

    @Test func allFourThemesLoadWithNoThemesFolder() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("burrow-no-themes-\(UUID().uuidString)").path
        let catalog = ThemeCatalog.load(directories: [empty])
        #expect(catalog.names == ["default", "light", "high-contrast", "monochrome"])
        #expect(catalog.problems.isEmpty)
        #expect(catalog.theme(named: "light")?.color(.text) == .rgb(0x1c, 0x1c, 0x1c))
    }

    @Test func userThemesStillLoadAndMayReplaceAShippedOne() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("burrow-user-themes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(##"{"version":1,"name":"light","colors":{"text":"#000001"}}"##.utf8).write(to: URL(fileURLWithPath: directory + "/light.json"))
        try Data(##"{"version":1,"name":"solar","colors":{"text":"#002b36"}}"##.utf8).write(to: URL(fileURLWithPath: directory + "/solar.json"))
        let catalog = ThemeCatalog.load(directories: [directory])
        #expect(catalog.names == ["default", "light", "high-contrast", "monochrome", "solar"])
        #expect(catalog.theme(named: "light")?.color(.text) == .rgb(0, 0, 1))
    }

    @Test(arguments: [
        (##"{"name":"x","colors":{}}"##, "x.json:1:1: field 'version': missing"),
        (##"{"version":2,"name":"x","colors":{}}"##, "x.json:1:12: field 'version': unsupported version 2"),
        ("{\"version\":1,\n \"name\":\"x\",\n \"colours\":{}}", "x.json:3:2: unknown field 'colours'"),
        ("{\"version\":1,\"colors\":{\n  \"text\": \"#12\"}}", "x.json:2:11: field 'colors.text': invalid colour '#12'"),
        ("{\"version\":1,\"colors\":{\n  \"txet\": \"red\"}}", "x.json:2:3: field 'colors.txet': unknown role \"txet\""),
        ("{\"version\":1,\"colors\":{\"text\": true}}", "x.json:1:32: field 'colors.text': expected a colour"),
        ("{\"version\":1,\"colors\":{\"text\":\"red\",}}", "x.json:1:37: trailing ','"),
    ])
    func strictFilesWithLineAndColumn(json: String, expected: String) {
        #expect(throws: ThemeError.self) { try ThemeFile.parse(Array(json.utf8), path: "/tmp/x.json") }
        do {
            _ = try ThemeFile.parse(Array(json.utf8), path: "/tmp/x.json")
        } catch {
            #expect(error.description.hasPrefix("theme " + expected), "\(error.description)")
        }
    }
}
