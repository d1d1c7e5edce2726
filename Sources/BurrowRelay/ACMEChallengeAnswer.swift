/// The HTTP port's answer to an ACME server validating a name (HTTP-01,
/// RFC 8555 §8.3): the key authorization as the whole body.
enum ACMEChallengeAnswer {
    static func response(_ keyAuthorization: String) -> String {
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: \(keyAuthorization.utf8.count)\r\nConnection: close\r\n\r\n\(keyAuthorization)"
    }
}
