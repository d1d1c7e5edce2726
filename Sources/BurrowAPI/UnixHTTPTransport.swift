import NIOCore
import NIOHTTP1
import NIOPosix

/// HTTP/1.1 over the engine's Unix socket, one connection per call: cheap on
/// a local socket (a snapshot a second is nothing), and a call never waits
/// behind another one's stream.
struct UnixHTTPTransport: Sendable {
    let socketPath: String

    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
    }

    /// One request, its whole answer; fails after `timeout`.
    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, timeout: TimeAmount = .seconds(30)) async throws -> Response {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let answer = loop.makePromise(of: Response.self)
        let channel: any Channel
        do {
            channel = try await connect(on: loop) { ResponseCollector(answer: answer) }
        } catch {
            answer.fail(error)
            throw EngineAPIError.unreachable(socket: socketPath, reason: "\(error)")
        }
        let timer = loop.scheduleTask(in: timeout) {
            answer.fail(EngineAPIError.unreachable(socket: socketPath, reason: "no answer within \(timeout.nanoseconds / 1_000_000_000) s"))
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        write(method, path, body: body, to: channel)
        do {
            return try await answer.futureResult.get()
        } catch let error as EngineAPIError {
            throw error
        } catch {
            throw EngineAPIError.unreachable(socket: socketPath, reason: "\(error)")
        }
    }

    /// A streaming GET: the body's bytes as they come; ends when the server
    /// ends the response or the connection goes. Finishing the consumer closes it.
    func stream(_ path: String, headers: [(String, String)] = []) -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        let task = Task {
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            guard let channel = try? await connect(on: loop, { StreamCollector(continuation: continuation) }) else {
                continuation.finish()
                return
            }
            // The consumer may have left while we connected.
            guard !Task.isCancelled else {
                channel.close(promise: nil)
                return
            }
            continuation.onTermination = { _ in channel.close(promise: nil) }
            write(.GET, path, body: nil, headers: headers, to: channel)
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func connect(on loop: any EventLoop, _ handler: @escaping @Sendable () -> some ChannelInboundHandler) async throws -> any Channel {
        try await ClientBootstrap(group: loop)
            .connectTimeout(.seconds(3))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(handler())
                }
            }
            .connect(unixDomainSocketPath: socketPath)
            .get()
    }

    private func write(_ method: HTTPMethod, _ path: String, body: [UInt8]?, headers: [(String, String)] = [], to channel: any Channel) {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: "burrow")
        head.headers.add(name: "Connection", value: "close")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        if let body {
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: String(body.count))
        }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }
}

/// Gathers one response and completes `answer` with it.
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    private let answer: EventLoopPromise<UnixHTTPTransport.Response>
    private var status = 0
    private var body: [UInt8] = []

    init(answer: EventLoopPromise<UnixHTTPTransport.Response>) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = Int(head.status.code)
        case .body(var buffer): body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            answer.succeed(.init(status: status, body: body))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        answer.fail(EngineAPIError.unreachable(socket: "engine.sock", reason: "the engine closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        answer.fail(error)
        context.close(promise: nil)
    }
}

/// Passes a streaming response's body on as it comes.
private final class StreamCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    private let continuation: AsyncStream<[UInt8]>.Continuation

    init(continuation: AsyncStream<[UInt8]>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head) where head.status != .ok:
            continuation.finish()
            context.close(promise: nil)
        case .head: break
        case .body(var buffer): continuation.yield(buffer.readBytes(length: buffer.readableBytes) ?? [])
        case .end:
            continuation.finish()
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish()
        context.close(promise: nil)
    }
}
