import BurrowCore
import Foundation

/// Burrow's config directory: `config.json`, `mappings.json`, the agent's
/// `identity` and `known_relays`. Every change is a read-modify-write under
/// one `flock` (`.lock` in the directory) ending in an atomic rename, so
/// parallel commands never lose each other's changes, and a file that fails
/// to parse is never overwritten.
public struct ConfigStore: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// `--config-dir`, else `$BURROW_CONFIG_DIR`, else `$XDG_CONFIG_HOME/burrow`,
    /// else `~/.config/burrow`; `~` is expanded and relative paths made absolute.
    public static func resolveDirectory(explicit: String?, environment: [String: String]) -> String {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let chosen: String
        if let explicit, !explicit.isEmpty {
            chosen = explicit
        } else if let dir = environment["BURROW_CONFIG_DIR"], !dir.isEmpty {
            chosen = dir
        } else if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            chosen = xdg + "/burrow"
        } else {
            chosen = home + "/.config/burrow"
        }
        return absolutePath(chosen, home: home)
    }

    /// Expands `~` and makes `path` absolute against the current directory.
    public static func absolutePath(_ path: String, home: String? = nil) -> String {
        var result = path
        if result == "~" || result.hasPrefix("~/") {
            let home = home ?? ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
            result = home + result.dropFirst()
        }
        if !result.hasPrefix("/") {
            result = FileManager.default.currentDirectoryPath + "/" + result
        }
        while result.count > 1, result.hasSuffix("/") { result.removeLast() }
        return result
    }

    public var configPath: String { "\(directory)/\(ConfigFile.fileName)" }
    public var mappingsPath: String { "\(directory)/\(MappingsFile.fileName)" }
    public var knownRelaysPath: String { "\(directory)/known_relays" }
    public var identityPath: String { "\(directory)/\(Identity.fileName)" }
    /// The lock every read-modify-write of `config.json` and `mappings.json` holds.
    public var lockPath: String { "\(directory)/.lock" }

    /// `config.json`; a missing file is an empty config.
    public func loadConfig() throws(ConfigError) -> ConfigFile {
        guard let bytes = try AtomicFile.read(configPath) else { return ConfigFile() }
        return try ConfigFile.decode(bytes, file: configPath)
    }

    /// `mappings.json`; a missing file means no mappings.
    public func loadMappings() throws(ConfigError) -> MappingsFile {
        guard let bytes = try AtomicFile.read(mappingsPath) else { return MappingsFile() }
        return try MappingsFile.decode(bytes, file: mappingsPath)
    }

    /// Both files, checked against each other (every mapping's profile exists).
    public func load() throws(ConfigError) -> (config: ConfigFile, mappings: MappingsFile) {
        let config = try loadConfig()
        let mappings = try loadMappings()
        try checkReferences(config: config, mappings: mappings)
        return (config, mappings)
    }

    /// Runs `body` holding the directory's lock (creating the directory first).
    func locked<T>(_ body: () throws(ConfigError) -> T) throws(ConfigError) -> T {
        try AtomicFile.makeDirectory(directory)
        return try FileLock.withLockTyped(lockPath, body)
    }

    /// Re-reads `config.json` under the lock, applies `change`, validates and
    /// writes it atomically (only if something changed). Errors from `change`
    /// pass through and nothing is written.
    @discardableResult
    public func updateConfig(_ change: (inout ConfigFile) throws -> Void) throws -> ConfigFile {
        try update(load: loadConfig, change: change, check: validate, encode: { $0.encoded() }, to: configPath)
    }

    /// Like `updateConfig`, for `mappings.json`; the result's profiles must exist.
    @discardableResult
    public func updateMappings(_ change: (inout MappingsFile) throws -> Void) throws -> MappingsFile {
        try update(load: loadMappings, change: change, check: { file in
            try validate(file)
            try checkReferences(config: try loadConfig(), mappings: file)
        }, encode: { $0.encoded() }, to: mappingsPath)
    }

    /// Load, change, check and write one file under the store's lock.
    private func update<File: Equatable>(
        load: () throws -> File, change: (inout File) throws -> Void, check: (File) throws -> Void,
        encode: (File) -> [UInt8], to path: String
    ) throws -> File {
        try AtomicFile.makeDirectory(directory)
        return try FileLock.withLock(lockPath) {
            let before = try load()
            var file = before
            try change(&file)
            if file != before {
                try check(file)
                try AtomicFile.write(encode(file), to: path)
            }
            return file
        }
    }

    /// The key for `profile`: its own `identity` file if it names one (a
    /// relative path is taken from the config dir), else the config dir's
    /// `identity`, created on first use.
    public func identity(for profile: Profile?) throws(ConfigError) -> Identity {
        guard let path = profile?.identity else { return try Identity.loadOrCreate(directory: directory) }
        let resolved = path.hasPrefix("/") || path.hasPrefix("~") ? ConfigStore.absolutePath(path) : "\(directory)/\(path)"
        return try Identity.load(path: resolved)
    }

    /// The pinned relay host keys.
    public var knownRelays: KnownRelays { KnownRelays(path: knownRelaysPath) }
}
