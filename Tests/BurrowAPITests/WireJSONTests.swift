@testable import BurrowAPI
import BurrowCore
import Testing

/// The API's JSON to the byte (keys sorted, as `JSONOutput` writes them), so
/// a change to how the wire types are built cannot change what a curl user,
/// a script or an older client reads: the tunnels (a fleet's relay members
/// beside them), the mappings and an exchange.
@Suite struct WireJSONTests {
    static let engine = EngineInfo(pid: 42, version: "1.2.3", configDirectory: "/home/a/.config/burrow", startedAt: 1000, owner: .up,
                                   embeddedRelay: EmbeddedRelayInfo(host: "127.0.0.1", httpPort: 8080, sshPort: 2222))

    @Test func statusIsByteForByteTheDocumentedShape() throws {
        let text = String(decoding: EngineAPIJSON.status(engine: Self.engine, snapshot: try WireTests.sample()), as: UTF8.self)
        #expect(text == Self.status, "\(text)")
    }

    @Test func exchangeIsByteForByteTheDocumentedShape() throws {
        let exchange = WireTests.sampleExchange()
        let text = String(decoding: EngineAPIJSON.exchange(exchange), as: UTF8.self)
        #expect(text == Self.exchange, "\(text)")
    }

    @Test func everyEventLineIsByteForByteTheSame() throws {
        let lines = try WireTests.sampleEvents().map(\.jsonLine).joined(separator: "\n")
        #expect(lines == Self.eventLines, "\(lines)")
    }

    static let eventLines = #"""
        {"event":"connecting","relay":"r:22","tunnel":"home"}
        {"event":"connected","relay":"r:22","tunnel":"home"}
        {"alsoURL":"http://web.example.com","event":"online","local":"127.0.0.1:3000","name":"web","url":"https://web.example.com"}
        {"event":"online","local":"127.0.0.1:22","name":"ssh","url":"tcp://example.com:20022"}
        {"event":"reconnecting","reason":"reset","retryIn":2.5,"tunnel":"home"}
        {"event":"offline","reason":"gone","tunnel":"home"}
        {"event":"error","message":"down","name":"web"}
        {"event":"error","message":"config"}
        {"event":"removed","name":"web"}
        {"event":"disabled","name":"web"}
        {"event":"moved","name":"web","tunnel":"b"}
        {"event":"notice","message":"hello \"you\""}
        """#

    static let status = #"""
        {
          "engine": {
            "configDirectory": "/home/a/.config/burrow",
            "embeddedRelay": {
              "host": "127.0.0.1",
              "httpPort": 8080,
              "sshPort": 2222
            },
            "owner": "burrow up",
            "pid": 42,
            "startedAt": 1000,
            "version": "1.2.3"
          },
          "mappings": [
            {
              "alsoURL": "http://shop.example.com",
              "bytesIn": 1234,
              "bytesOut": 98765,
              "durationP50Ms": 12,
              "durationP90Ms": 40,
              "durationP99Ms": 90,
              "history": [
                0,
                1,
                2.5
              ],
              "https": "failed",
              "httpsReason": "rate limited",
              "localServiceDown": true,
              "mapping": {
                "allow": [
                  "10.0.0.0/8"
                ],
                "basicAuth": {
                  "salt": "00ff",
                  "sha256": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                  "user": "alice"
                },
                "enabled": true,
                "local": "127.0.0.1:3000",
                "name": "shop",
                "pool": true,
                "protocol": "http"
              },
              "name": "shop",
              "openVisitors": 2,
              "pool": {
                "members": 3,
                "online": 2
              },
              "rateIn10s": 3,
              "rateIn1s": 1.5,
              "rateOut10s": 4,
              "rateOut1s": 2.5,
              "recentRequests": [
                {
                  "answeredBy": "relay",
                  "durationMs": 3.5,
                  "id": 7,
                  "method": "GET",
                  "path": "/x?y=1",
                  "responseBytes": 12,
                  "status": 401,
                  "time": 1001,
                  "visitor": "1.2.3.4:5555"
                }
              ],
              "recentVisitors": [
                {
                  "address": "1.2.3.4:5555",
                  "bytesIn": 1,
                  "bytesOut": 2,
                  "startedAt": 1000.5
                }
              ],
              "relays": {
                "of": 3,
                "serving": 2
              },
              "state": "online",
              "totalVisitors": 9,
              "tunnel": "home",
              "url": "https://shop.example.com",
              "visitorsPerSecond1m": 0.25,
              "visitorsPerSecond5m": 0.125
            },
            {
              "bytesIn": 0,
              "bytesOut": 0,
              "history": [],
              "localServiceDown": false,
              "mapping": {
                "enabled": true,
                "local": "127.0.0.1:27015",
                "name": "games",
                "protocol": "udp",
                "remotePort": 27015
              },
              "name": "games",
              "openVisitors": 0,
              "rateIn10s": 0,
              "rateIn1s": 0,
              "rateOut10s": 0,
              "rateOut1s": 0,
              "reason": "port taken",
              "recentRequests": [],
              "recentVisitors": [],
              "state": "refused",
              "totalVisitors": 0,
              "tunnel": "home",
              "visitorsPerSecond1m": 0,
              "visitorsPerSecond5m": 0
            },
            {
              "bytesIn": 0,
              "bytesOut": 0,
              "history": [],
              "localServiceDown": false,
              "mapping": {
                "enabled": false,
                "local": "127.0.0.1:22",
                "name": "off",
                "protocol": "tcp"
              },
              "name": "off",
              "openVisitors": 0,
              "rateIn10s": 0,
              "rateIn1s": 0,
              "rateOut10s": 0,
              "rateOut1s": 0,
              "recentRequests": [],
              "recentVisitors": [],
              "state": "disabled",
              "totalVisitors": 0,
              "tunnel": "local",
              "visitorsPerSecond1m": 0,
              "visitorsPerSecond5m": 0
            }
          ],
          "takenAt": 1234.5,
          "tunnels": [
            {
              "domain": "example.com",
              "members": [
                {
                  "connectedSince": 1200,
                  "fromProfile": true,
                  "reconnects": 1,
                  "relay": "relay.example.com:2222",
                  "rttMs": 3.5,
                  "state": "online"
                },
                {
                  "fromProfile": false,
                  "reconnects": 0,
                  "relay": "r2.example.com:2222",
                  "state": "online"
                },
                {
                  "fromProfile": true,
                  "reason": "refused",
                  "reconnects": 2,
                  "relay": "r3.example.com:2022",
                  "retryAt": 1240,
                  "state": "reconnecting"
                }
              ],
              "profile": "home",
              "reason": "refused",
              "reconnects": 3,
              "relay": "relay.example.com:2222",
              "relays": {
                "of": 3,
                "serving": 2
              },
              "retryAt": 1240,
              "rttMs": 12.5,
              "state": "reconnecting"
            },
            {
              "profile": "local",
              "reason": "stopped",
              "reconnects": 0,
              "relay": "embedded relay on 127.0.0.1:8080",
              "state": "offline"
            },
            {
              "profile": "b",
              "reconnects": 0,
              "relay": "b:22",
              "state": "connecting"
            }
          ]
        }

        """#

    static let exchange = #"""
        {
          "answeredBy": "agent",
          "firstByteMs": 1.5,
          "id": 42,
          "mapping": "shop",
          "method": "POST",
          "reason": "Created",
          "replayOf": 41,
          "requestBody": {
            "base64": "aMOpbGxv",
            "text": "héllo",
            "truncated": true
          },
          "requestBodyBytes": 70000,
          "requestHeaders": [
            [
              "Host",
              "shop"
            ],
            [
              "X-A",
              "1"
            ],
            [
              "X-A",
              "2"
            ]
          ],
          "responseBody": {
            "base64": "/wD+",
            "truncated": false
          },
          "responseBodyBytes": 3,
          "responseHeaders": [
            [
              "Content-Type",
              "application/octet-stream"
            ]
          ],
          "status": 201,
          "target": "/api?q=1",
          "time": 99.5,
          "totalMs": 2.5,
          "version": "HTTP/1.1",
          "visitor": "1.2.3.4:1"
        }

        """#
}
