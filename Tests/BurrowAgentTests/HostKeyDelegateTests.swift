import BurrowConfig
import Foundation
import NIOCore
import NIOPosix
import NIOSSH
import Synchronization
import Testing

@testable import BurrowAgent

/// Pinning a relay's host key (a flock and an fsync on `known_relays`) never
/// runs on the connection's event loop: with the lock held by another process
/// for a while, the loop keeps running other work, and the key is pinned
/// once the lock is free.
@Suite("Host key check off the event loop", .timeLimit(.minutes(10)))
struct HostKeyDelegateTests {
    @Test("while known_relays' lock is held, the loop stays free and the verdict arrives afterwards")
    func pinDoesNotBlockTheLoop() async throws {
        let directory = FileManager.default.temporaryDirectory.path + "/burrow-hostkey-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/known_relays"
        let key = NIOSSHPrivateKey(ed25519Key: .init()).publicKey
        let policy = HostKeyPolicy.knownRelays(path: path, host: "relay.example", port: 2222)

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()

        // Another process (here: a thread) holds the lock for a while. The
        // test judges by order of events, not by the clock: the loop answers
        // while the lock is still held, the verdict comes after it is freed.
        let locked = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let released = Mutex(false)
        let holder = Thread {
            try? FileLock.withLock(directory + "/.known_relays.lock") {
                locked.signal()
                _ = release.wait(timeout: .now() + 120)
                released.withLock { $0 = true }
            }
        }
        holder.start()
        locked.wait()

        let verdict = loop.makePromise(of: Void.self)
        loop.execute {
            HostKeyDelegate(policy: policy, relay: "relay.example:2222").validateHostKey(hostKey: key, validationCompletePromise: verdict)
        }
        try await loop.submit {}.get()  // the loop runs other work while the pin waits for the lock
        #expect(released.withLock { $0 } == false)
        release.signal()
        try await verdict.futureResult.get()
        #expect(released.withLock { $0 })
        let pinned = try String(contentsOfFile: path, encoding: .utf8)
        #expect(pinned.hasPrefix("[relay.example]:2222 ssh-ed25519 "))
        try await group.shutdownGracefully()
    }
}
