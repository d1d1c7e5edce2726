import BurrowTestSupport
import BurrowRelay
import Foundation
import Testing

/// One unreadable line in `authorized_keys` costs that line only: stock
/// OpenSSH clients with the other keys still log in, and the line is logged
/// once with its number.
@Suite("authorized_keys with a bad line", .spawnsProcesses, .timeLimit(.minutes(10)))
struct AuthorizedKeysLineTests {
    @Test("a key whose comment is Latin-1 (jos\\xe9@laptop) is skipped and logged once; the other keys still log in")
    func latin1CommentDoesNotLockOut() async throws {
        try await RelayTest.run(authorizeKey: false, prepare: { kit, key in
            // Line 1: a comment, line 2: a key with a Latin-1 comment, line 3: the agent's key.
            let other = try await kit.makeKey("other", authorize: false)
            var bytes = Array("# keys\n".utf8)
            let otherLine = try String(contentsOfFile: other + ".pub", encoding: .utf8)
                .split(separator: " ").prefix(2).joined(separator: " ")
            bytes += Array((otherLine + " jos").utf8) + [0xE9] + Array("@laptop\n".utf8)
            bytes += Array(try String(contentsOfFile: key + ".pub", encoding: .utf8).utf8)
            try kit.writeState("authorized_keys", "")
            try Data(bytes).write(to: URL(fileURLWithPath: kit.stateDirectory + "/authorized_keys"))
        }) { test in
            let local = try await test.kit.site(index: "up\n")
            let first = try test.ssh(["one:80:127.0.0.1:\(local)"])
            #expect(try await test.kit.waitUntilServed(test.url("one")) == "up\n")
            let second = try test.ssh(["two:80:127.0.0.1:\(local)"])
            #expect(try await test.kit.waitUntilServed(test.url("two")) == "up\n")
            #expect(first.isRunning && second.isRunning)
            let mentions = test.log.text.split(separator: "\n").filter { $0.contains("authorized_keys:2: not valid UTF-8") }
            #expect(mentions.count == 1, "\(test.log.text)")
        }
    }
}
