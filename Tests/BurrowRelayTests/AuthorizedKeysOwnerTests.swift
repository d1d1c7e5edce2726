import Testing

@testable import BurrowRelay

/// `burrow-owner="NAME"` among a key line's options (issue 16's pools).
@Suite struct AuthorizedKeysOwnerTests {
    @Test func theOwnerOptionIsFoundAmongOthersQuotedOrNot() {
        #expect(AuthorizedKeys.owner(#"burrow-owner="team" ssh-ed25519 AAAA a@b"#) == "team")
        #expect(AuthorizedKeys.owner(#"restrict,burrow-owner="the team",no-pty ssh-ed25519 AAAA"#) == "the team")
        #expect(AuthorizedKeys.owner(#"command="echo a,b",burrow-owner=ops ssh-ed25519 AAAA"#) == "ops")
        #expect(AuthorizedKeys.owner("ssh-ed25519 AAAA burrow-owner=notanoption") == nil)
        #expect(AuthorizedKeys.owner(#"burrow-owner="" ssh-ed25519 AAAA"#) == nil)
        #expect(AuthorizedKeys.owner("restrict ssh-ed25519 AAAA") == nil)
        #expect(AuthorizedKeys.options(#"burrow-pool,burrow-owner="a b" ssh-ed25519 AAAA"#) == ["burrow-pool", #"burrow-owner="a b""#])
        #expect(AuthorizedKeys.options("ssh-ed25519 AAAA burrow-pool").isEmpty)
    }
}
