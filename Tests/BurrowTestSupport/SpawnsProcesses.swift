import Testing

/// A test that starts real processes (relays, agents, sshd, tmux, curl, local
/// servers) waits here for one of a few places before it runs, so the
/// README's plain `swift test` — every suite of every target at once, in one
/// process — does not start forty relays on a 2-core machine and starve the
/// tests that wait for events. Pure tests are not gated. Waiting for a place
/// is not a sleep: the test starts as soon as another one ends.
public struct SpawnsProcesses: TestTrait, SuiteTrait, TestScoping {
    /// Tests of this kind running at once, whatever the machine.
    public static let width = 3

    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        // The suite itself holds no place: its tests each take one.
        guard testCase != nil, !test.isSuite else {
            try await function()
            return
        }
        await ProcessTestGate.shared.enter()
        let watched = TestWatchdog.shared.begin(test.id.description)
        defer { TestWatchdog.shared.end(watched) }
        do {
            try await function()
        } catch {
            await ProcessTestGate.shared.leave()
            throw error
        }
        await ProcessTestGate.shared.leave()
    }
}

extension Trait where Self == SpawnsProcesses {
    /// See `SpawnsProcesses`.
    public static var spawnsProcesses: Self { Self() }
}

/// The places: a counting semaphore whose waiters are continuations, not threads.
actor ProcessTestGate {
    static let shared = ProcessTestGate(width: SpawnsProcesses.width)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) {
        free = width
    }

    func enter() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()  // the place passes straight to the next test
        }
    }
}
