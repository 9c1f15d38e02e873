import Foundation

/// The database's own ranking defaults, stored by `vecscope tune fusion --apply` in `settings` and used by the
/// CLI, the TUI and `eval` wherever no flag says otherwise.
public struct RankingDefaults: Sendable, Equatable, Codable {
    public var fusion: HybridFusion
    public var k1: Double
    public var b: Double
    public var contentWeight: Double

    public init(fusion: HybridFusion, k1: Double, b: Double, contentWeight: Double = BM25Parameters().contentWeight) {
        self.fusion = fusion
        self.k1 = k1
        self.b = b
        self.contentWeight = contentWeight
    }

    static let key = "ranking_defaults"

    /// The stored defaults; nil when none were applied.
    public static func stored(in connection: Connection) throws -> RankingDefaults? {
        guard
            let json = try connection.query("SELECT value::text FROM settings WHERE key = \(key)").scalar(String.self)
        else { return nil }
        do {
            return try JSONDecoder().decode(RankingDefaults.self, from: Data(json.utf8))
        } catch {
            throw VecscopeError(
                what: "the stored ranking defaults cannot be read", why: "settings.\(key) holds \(json.prefix(120))",
                fix: "Run `vecscope tune fusion --apply` again to store them anew.")
        }
    }

    public func store(in connection: Connection) throws {
        let json = try JSONText.encode(self, pretty: false)
        try connection.execute(
            """
            INSERT INTO settings (key, value) VALUES (\(Self.key), \(json)::jsonb)
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
            """)
    }

    public func apply(to params: inout SearchParams) {
        params.fusion = fusion
        params.bm25.k1 = k1
        params.bm25.b = b
        params.bm25.contentWeight = contentWeight
    }
}
