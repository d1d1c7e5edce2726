/// The version every component reports (relay banner, agent hello, TUI header).
public enum BurrowVersion {
    public static let current = "0.1.0"
}
