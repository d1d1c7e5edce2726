import BurrowCore

/// One element of `burrow profile ls --json`.
struct ProfileListEntry: Encodable {
    var name: String
    var host: String
    var sshPort: Int
    var user: String
    var identity: String?
    var selected: Bool

    init(_ profile: BurrowCore.Profile, selected: Bool) {
        name = profile.name
        host = profile.host
        sshPort = profile.sshPort
        user = profile.user
        identity = profile.identity
        self.selected = selected
    }
}
