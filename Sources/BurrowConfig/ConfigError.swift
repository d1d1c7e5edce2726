#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import BurrowCore

/// Everything that can go wrong reading or writing Burrow's config directory.
/// Each message names the file (with line:column) or the field and the bad
/// value, and says what to do, so the CLI and the TUI can show it as is.
public enum ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A system call failed on `path` (`operation` is what we were doing).
    case io(path: String, operation: String, errno: Int32)
    /// The file is not valid JSON (or not the expected shape) at line:column.
    case syntax(file: String, line: Int, column: Int, message: String)
    /// The file has a field Burrow does not know (often a typo).
    case unknownField(file: String, field: String)
    /// A field has a value Burrow does not accept.
    case invalidField(file: String, field: String, message: String)
    /// Bad input from the user (name, port, address, protocol).
    case invalidValue(CoreError)
    /// Bad input explained by `message`: options that do not go together
    /// (`--remote-port` on an HTTP mapping), or a value checked by the CLI.
    case invalidCombination(String)
    /// A mapping or profile name is already used.
    case nameTaken(kind: String, name: String)
    /// No mapping or profile has this name.
    case notFound(kind: String, name: String, known: [String])
    /// A profile still has mappings going through it.
    case profileInUse(name: String, mappings: [String])
    /// A key file or key line that cannot be read.
    case invalidKey(path: String, reason: String)
    /// A passphrase-protected private key.
    case encryptedKey(path: String)

    public var description: String {
        switch self {
        case .io(let path, let operation, let code):
            return "\(path): cannot \(operation): \(ConfigError.systemMessage(code))"
        case .syntax(let file, let line, let column, let message):
            return "\(file):\(line):\(column): \(message); fix the file by hand (it was not changed)"
        case .unknownField(let file, let field):
            return "\(file): unknown field '\(field)'; remove it or fix its spelling (the file was not changed)"
        case .invalidField(let file, let field, let message):
            return "\(file): field '\(field)': \(message) (the file was not changed)"
        case .invalidValue(let error):
            return error.description
        case .invalidCombination(let message):
            return message
        case .nameTaken(let kind, let name):
            return "\(kind) name '\(name)' is already taken; choose another name or remove the existing \(kind) first"
        case .notFound(let kind, let name, let known):
            let list = known.isEmpty ? "there are none" : "known: \(known.joined(separator: ", "))"
            return "no \(kind) named '\(name)' (\(list))"
        case .profileInUse(let name, let mappings):
            return "profile '\(name)' is used by mapping(s) \(mappings.joined(separator: ", ")); remove them (burrow map rm NAME) or re-add them with another --profile first"
        case .invalidKey(let path, let reason):
            return "\(path): not a usable key: \(reason); use an unencrypted ed25519 key (ssh-keygen -t ed25519 -N '')"
        case .encryptedKey(let path):
            return "\(path): encrypted keys are not supported yet; make an unencrypted copy (ssh-keygen -p -N '' -f COPY) or let burrow use its own key"
        }
    }

    static func systemMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
