import BurrowCore

/// Small answers of the API's routes (Codable: the client reads them back).
struct StopAnswer: Codable, Sendable {
    var stopping: Bool
    var pid: Int32
}

struct RemovedAnswer: Codable, Sendable {
    var removed: Mapping
}

struct ProfileAnswer: Codable, Sendable {
    var selectedProfile: String?

    private enum CodingKeys: String, CodingKey { case selectedProfile }

    init(selectedProfile: String?) {
        self.selectedProfile = selectedProfile
    }

    /// `null` written out, so curl users see that none is selected.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(selectedProfile, forKey: .selectedProfile)
    }
}
