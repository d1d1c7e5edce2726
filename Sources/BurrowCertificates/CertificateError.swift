/// Why a certificate could not be made, read or stored, in words a user can act on.
public enum CertificateError: Error, Equatable, CustomStringConvertible {
    /// A file exists but is not what it should be (not PEM, wrong key type, key and certificate disagree).
    case unreadable(path: String, reason: String)
    /// A name no certificate may be made for here (not under the authority's domain, or not a DNS name).
    case nameNotAllowed(name: String, reason: String)
    /// The file system refused (permissions, disk full).
    case io(String)
    /// The X.509 library refused to build the certificate.
    case encoding(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): \(reason) (move it away and Burrow makes a new one)"
        case .nameNotAllowed(let name, let reason):
            return "no certificate for \(name): \(reason)"
        case .io(let message):
            return message
        case .encoding(let message):
            return "could not build the certificate: \(message)"
        }
    }
}
