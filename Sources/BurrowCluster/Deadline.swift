import Synchronization

/// Runs `operation` in a task of its own and answers with its result, or
/// with `ClusterError.timedOut` once `limit` passed (the operation is then
/// cancelled and its late result dropped). The caller never waits longer
/// than `limit` for a database that stopped answering mid-query.
enum Deadline {
    static func run<T: Sendable>(
        _ limit: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let box = Box<T>()
        return try await withCheckedThrowingContinuation { continuation in
            box.arm(continuation)
            let work = Task {
                do {
                    box.finish(.success(try await operation()))
                } catch {
                    box.finish(.failure(error))
                }
            }
            let timer = Task {
                try? await Task.sleep(for: limit)
                if box.finish(.failure(ClusterError.timedOut("\(what): no answer within \(limit)"))) { work.cancel() }
            }
            box.onFinish { timer.cancel() }
        }
    }

    /// The continuation, resumed once by whichever side finishes first.
    private final class Box<T: Sendable>: Sendable {
        private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, done: Bool, cleanup: (@Sendable () -> Void)?)>(
            (nil, false, nil))

        func arm(_ continuation: CheckedContinuation<T, any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        @discardableResult
        func finish(_ result: Result<T, any Error>) -> Bool {
            let (continuation, cleanup) = state.withLock { state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
                guard !state.done else { return (nil, nil) }
                state.done = true
                defer { state.continuation = nil; state.cleanup = nil }
                return (state.continuation, state.cleanup)
            }
            guard let continuation else { return false }
            continuation.resume(with: result)
            cleanup?()
            return true
        }

        func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
            let already = state.withLock { state -> Bool in
                if state.done { return true }
                state.cleanup = cleanup
                return false
            }
            if already { cleanup() }
        }
    }
}
