/// Friendly random DNS labels for unnamed HTTP forwards: `brave-otter-42`.
package enum NameGenerator {
    private static let adjectives = [
        "amber", "bold", "brave", "brisk", "calm", "clever", "cosy", "crisp", "eager", "fair",
        "gentle", "glad", "golden", "happy", "jolly", "keen", "kind", "lively", "lucky", "merry",
        "mellow", "nimble", "noble", "proud", "quick", "quiet", "rapid", "shy", "silver", "sunny",
        "swift", "tidy", "vivid", "warm", "wise", "witty",
    ]
    private static let animals = [
        "badger", "beaver", "bison", "crane", "otter", "falcon", "ferret", "finch", "fox", "gecko",
        "heron", "ibex", "koala", "lemur", "lynx", "marmot", "mole", "newt", "owl", "panda",
        "puffin", "rabbit", "raven", "robin", "seal", "shrew", "sparrow", "stoat", "swan", "tapir",
        "vole", "walrus", "wombat", "wren", "yak", "zebra",
    ]

    package static func random() -> String {
        "\(adjectives.randomElement()!)-\(animals.randomElement()!)-\(Int.random(in: 10...99))"
    }
}
