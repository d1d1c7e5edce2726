import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The HTTPS client the ACME exchange runs over: one request per connection
/// over NIO + swift-nio-ssl, which the relay already carries for its TLS port.
/// Why not async-http-client: it would add its own dependency tree (and
/// minutes of build) for a few dozen requests per certificate; connection
/// reuse does not matter at that rate.
public struct ACMEHTTPClient: Sendable {
    /// Answers above this are refused (a certificate chain is a few KiB).
    static let maxBodyBytes = 1 << 20
    let group: EventLoopGroup
    let tls: TLSConfiguration
    let timeout: TimeAmount

    /// `trustedCAFile`: a PEM file of roots to trust instead of the system's
    /// (a private ACME server, or the tests' pebble).
    public init(group: EventLoopGroup, trustedCAFile: String?, timeout: TimeAmount = .seconds(30)) {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let trustedCAFile { tls.trustRoots = .file(trustedCAFile) }
        self.group = group
        self.tls = tls
        self.timeout = timeout
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public func send(_ request: ACMERequest) async throws -> ACMEResponse {
        guard let url = HTTPSURL(request.url) else { throw Failure(description: "not an https URL: \(request.url)") }
        let context = try NIOSSLContext(configuration: tls)
        let serverName = url.host.first.map { $0.isLetter } == true ? url.host : nil
        let promise = group.next().makePromise(of: ACMEResponse.self)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(ResponseCollector(promise: promise, limit: Self.maxBodyBytes))
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: url.host, port: url.port).get()
        } catch {
            promise.fail(error)
            throw Failure(description: "\(url.hostHeader): \(error)")
        }
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method.rawValue), uri: url.pathAndQuery)
        head.headers.add(name: "Host", value: url.hostHeader)
        head.headers.add(name: "User-Agent", value: "burrow-acme/1")
        head.headers.add(name: "Connection", value: "close")
        if let type = request.contentType { head.headers.add(name: "Content-Type", value: type) }
        if let body = request.body { head.headers.add(name: "Content-Length", value: String(body.count)) }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body = request.body {
            channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(Failure(description: "\(url.hostHeader): no answer in \(timeout.nanoseconds / 1_000_000_000) s"))
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        do {
            let response = try await promise.futureResult.get()
            channel.close(promise: nil)
            return response
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }
}

/// Gathers one response (head and body, bounded) and completes the promise.
private final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    let promise: EventLoopPromise<ACMEResponse>
    let limit: Int
    var head: HTTPResponseHead?
    var body: [UInt8] = []

    init(promise: EventLoopPromise<ACMEResponse>, limit: Int) {
        self.promise = promise
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= limit else {
                promise.fail(ACMEHTTPClient.Failure(description: "answer larger than \(limit) bytes"))
                context.close(promise: nil)
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            promise.succeed(ACMEResponse(status: Int(head.status.code), headers: headers, body: body))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ACMEHTTPClient.Failure(description: "connection closed before a whole answer"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
