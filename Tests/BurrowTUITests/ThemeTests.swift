import BurrowTUI
import Foundation
import Testing
import TerminalUI

@Suite struct ThemeTests {
    @Test func everyShippedThemeParsesAndDefinesEveryRole() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Fixtures.themesDirectory).filter { $0.hasSuffix(".json") }
        #expect(Set(files).isSuperset(of: ["default.json", "light.json", "high-contrast.json", "monochrome.json"]))
        for file in files {
            let theme = try ThemeFile.load(path: Fixtures.themesDirectory + "/" + file)
            #expect(theme.name + ".json" == file)
            for role in ThemeRole.allCases {
                #expect(theme.colors[role] != nil, "\(file) does not define \(role.rawValue)")
            }
        }
    }

    @Test func builtInDefaultMatchesTheShippedFile() throws {
        let shipped = try ThemeFile.load(path: Fixtures.themesDirectory + "/default.json")
        #expect(shipped.colors == Theme.builtInDefault.colors)
    }

    @Test func missingRolesFallBackToTheDefault() throws {
        let theme = try ThemeFile.parse(Array(##"{"version":1,"name":"mini","colors":{"text":"#ffffff","error":"9"}}"##.utf8), path: "mini.json")
        #expect(theme.color(.text) == .rgb(255, 255, 255))
        #expect(theme.color(.error) == .index(9))
        #expect(theme.color(.online) == Theme.builtInDefault.color(.online))
    }

    @Test func badThemeFilesAreNamedAndLeftOut() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("burrow-themes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(##"{"version":1,"name":"broken","colors":{"text":"#12345"}}"##.utf8).write(to: URL(fileURLWithPath: directory + "/broken.json"))
        try Data(##"{"version":1,"name":"typo","colors":{"txet":"red"}}"##.utf8).write(to: URL(fileURLWithPath: directory + "/typo.json"))
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: directory + "/junk.json"))
        try Data(##"{"version":1,"name":"mine","colors":{"accent":"magenta"}}"##.utf8).write(to: URL(fileURLWithPath: directory + "/mine.json"))
        let catalog = ThemeCatalog.load(directories: [directory])
        #expect(catalog.names == ["default", "light", "high-contrast", "monochrome", "mine"])
        let messages = catalog.problems.map(\.description)
        #expect(messages.count == 3)
        #expect(messages.contains { $0.contains("broken.json:1:") && $0.contains("invalid colour '#12345'") })
        #expect(messages.contains { $0.contains("typo.json:1:") && $0.contains("unknown role \"txet\"") })
        #expect(messages.contains { $0.contains("junk.json:1:2") && $0.contains("expected a field name") })
        #expect(messages.allSatisfy { $0.contains("using the default theme (in \(directory))") })
    }

    @Test func coloursParse() throws {
        #expect(try TerminalColor(parsing: "#ff8000") == .rgb(255, 128, 0))
        #expect(try TerminalColor(parsing: "208") == .index(208))
        #expect(try TerminalColor(parsing: "bright-blue") == .index(12))
        #expect(try TerminalColor(parsing: "") == .terminalDefault)
        #expect(throws: TerminalColorError.invalid("256")) { try TerminalColor(parsing: "256") }
        #expect(throws: TerminalColorError.invalid("pink")) { try TerminalColor(parsing: "pink") }
    }

    @Test func coloursDegradeTo256And16And8AndNone() {
        let orange = TerminalColor.rgb(0xff, 0x87, 0x00)
        #expect(orange.degraded(toColors: 256) == .index(208))
        guard case .index(let sixteen) = orange.degraded(toColors: 16) else { Issue.record("not an index"); return }
        #expect(sixteen < 16)
        #expect(TerminalColor.index(12).degraded(toColors: 8) == .index(4))
        #expect(TerminalColor.index(196).degraded(toColors: 16) == .index(9))
        #expect(orange.degraded(toColors: 0) == .terminalDefault)
        #expect(TerminalColor.terminalDefault.degraded(toColors: 256) == .terminalDefault)
    }
}
