import NIOCore

/// The HTTP port's visitor pipeline, for the fuzz module in this package
/// (`BurrowRelayFuzzing`), which must not reach further into the relay.
package enum HTTPVisitorPipeline {
    package static func install(on channel: any Channel, relay: RelayContext) throws {
        try HTTPRouter.install(on: channel, relay: relay)
    }
}
