/// The relay's answers to a visitor a mapping's access rules keep out.
enum HTTPAccessPage {
    /// `401` asking for the mapping's user and password.
    static func unauthorized(host: String) -> String {
        let page = HTTPErrorPage.response(
            status: "401 Unauthorized", title: "Sign in to \(host)",
            message: "This tunnel asks for a user name and password.")
        // Quotes and backslashes would break the quoted realm: the host has neither (a DNS name).
        return page.replacing("\r\n", with: "\r\nWWW-Authenticate: Basic realm=\"\(host)\", charset=\"UTF-8\"\r\n", maxReplacements: 1)
    }

    /// `403` for a visitor whose address the mapping does not allow.
    static func forbidden(host: String) -> String {
        HTTPErrorPage.response(
            status: "403 Forbidden", title: "Forbidden",
            message: "The tunnel <b>\(HTTPErrorPage.escape(host))</b> does not accept visitors from your address.")
    }
}
