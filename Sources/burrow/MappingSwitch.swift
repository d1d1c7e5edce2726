import ArgumentParser

/// `map enable` and `map disable`: one `run`, the direction from the type.
protocol MappingSwitch: AsyncParsableCommand {
    static var switchesOn: Bool { get }
    var target: MappingTarget { get }
}

extension MappingSwitch {
    func run() async throws {
        let on = Self.switchesOn
        let result = try target.global.store().setMapping(named: target.name, enabled: on)
        let word = on ? "enabled" : "disabled"
        CLIOutput.line(result.changed ? "\(word) mapping '\(target.name)'" : "mapping '\(target.name)' is already \(word)")
    }
}
