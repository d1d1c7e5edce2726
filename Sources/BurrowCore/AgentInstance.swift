/// The id an agent's tunnel sends in `hello` (wire `instance`): 128 random
/// bits as 32 lowercase hex digits, made once per tunnel run and shared by
/// that run's SSH connections. The relay lets connections of one key and one
/// instance serve a name together; a different instance (a restarted agent)
/// takes it over.
public enum AgentInstance {
    /// Hex digits an instance may have on the wire (128 to 256 bits).
    public static let lengths = 32...64

    /// A fresh id (`SystemRandomNumberGenerator`: the OS's CSPRNG).
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return [generator.next(), generator.next()].map { (word: UInt64) in
            let digits = String(word, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }

    /// Refuses anything but `lengths` lowercase hex digits.
    public static func validate(_ instance: String) throws(CoreError) {
        guard lengths.contains(instance.utf8.count),
              instance.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { throw .invalidMessage("'hello' with an instance that is not \(lengths.lowerBound)-\(lengths.upperBound) lowercase hex digits") }
    }
}
