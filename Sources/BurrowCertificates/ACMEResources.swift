/// The server's resources as RFC 8555 §7.1 writes them (only the fields Burrow reads).
public struct ACMEDirectory: Decodable, Sendable, Equatable {
    public var newNonce: String
    public var newAccount: String
    public var newOrder: String
    public var meta: Meta?

    public struct Meta: Decodable, Sendable, Equatable {
        public var termsOfService: String?
    }
}

public struct ACMEOrder: Decodable, Sendable, Equatable {
    public var status: String
    public var authorizations: [String]
    public var finalize: String
    public var certificate: String?
    public var error: ACMEProblem?
}

public struct ACMEAuthorization: Decodable, Sendable, Equatable {
    public var status: String
    public var identifier: Identifier
    public var challenges: [ACMEChallenge]

    public struct Identifier: Decodable, Sendable, Equatable {
        public var type: String
        public var value: String
    }
}

public struct ACMEChallenge: Decodable, Sendable, Equatable {
    public var type: String
    public var url: String
    public var token: String?
    public var status: String
    public var error: ACMEProblem?
}

/// An RFC 7807 problem document (RFC 8555 §6.7): what the TUI and `notice` show.
public struct ACMEProblem: Decodable, Sendable, Equatable, CustomStringConvertible {
    public var type: String
    public var detail: String?
    public var status: Int?

    public init(type: String, detail: String?, status: Int?) {
        self.type = type
        self.detail = detail
        self.status = status
    }

    public var description: String {
        let short = type.hasPrefix("urn:ietf:params:acme:error:") ? String(type.dropFirst(27)) : type
        return detail.map { "\(short): \($0)" } ?? short
    }
}
