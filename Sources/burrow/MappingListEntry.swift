import BurrowCore

/// One mapping as `burrow map ls --json` prints it: the mapping's own JSON
/// (the fields of mappings.json, `Mapping`'s encoding), except that basic
/// auth shows only the user.
struct MappingListEntry: Encodable {
    private struct BasicAuthUser: Encodable { var user: String }

    private enum CodingKeys: String, CodingKey { case basicAuth }

    let mapping: Mapping

    init(_ mapping: Mapping) {
        self.mapping = mapping
    }

    func encode(to encoder: any Encoder) throws {
        var shown = mapping
        shown.basicAuth = nil
        try shown.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(mapping.basicAuth.map { BasicAuthUser(user: $0.user) }, forKey: .basicAuth)
    }
}
