import BurrowConfig
import BurrowCore

/// The API's JSON for the CLI's `--json` output (`burrow status`,
/// `requests`, `replay`), so a script sees the same shapes as a curl user.
public enum EngineAPIJSON {
    /// `{"engine": …, "takenAt": …, "tunnels": […], "mappings": […]}`.
    public static func status(engine: EngineInfo, snapshot: EngineSnapshot) -> [UInt8] {
        JSONOutput.encode(StatusReport(engine: engine, snapshot: WireSnapshot(snapshot)))
    }

    /// A list of exchanges without bodies, as `GET /requests` answers.
    public static func exchanges(_ list: [HTTPExchange]) -> [UInt8] {
        JSONOutput.encode(list.map { WireExchange($0, bodies: false) })
    }

    /// One exchange with its bodies, as `GET /requests/ID` answers.
    public static func exchange(_ exchange: HTTPExchange) -> [UInt8] {
        JSONOutput.encode(WireExchange(exchange, bodies: true))
    }
}

private struct StatusReport: Encodable {
    var engine: EngineInfo
    var snapshot: WireSnapshot

    private enum CodingKeys: String, CodingKey { case engine }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(engine, forKey: .engine)
        try snapshot.encode(to: encoder)
    }
}
