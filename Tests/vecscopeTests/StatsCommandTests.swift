import Foundation
import TestSupport
import Testing
import VecCore

/// Issue 19, deliver 1: `vecscope stats --json` reports coverage, the cache's hit rate and the similarity
/// distribution, in the shape scripts read.
@Suite struct StatsCommandTests {
    @Test func statsJSONReportsCoverageCacheHitRateAndSimilarity() throws {
        let url = try FixtureDatabase.connectionURL()
        let cli = CommandLineTests()
        let query = "stats test: kubernetes operators in Go \(UUID().uuidString)"
        for _ in 0..<3 {
            #expect(try cli.vecscope(["search", "--limit", "3", query], databaseURL: url).status == 0)
        }
        let object = try cli.json(try cli.vecscope(["stats", "--json"], databaseURL: url))
        let thresholds = try #require(object["thresholds"] as? [String: Any])
        #expect(thresholds["coverage"] as? Double == 0.95 && thresholds["cache_hit_rate"] as? Double == 0.8)
        let models = try #require(object["models"] as? [[String: Any]])
        let model = try #require(models.first { $0["model"] as? String == SearchParams.defaultModel })
        let artifacts = try #require(model["artifacts"] as? Int)
        let fresh = try #require(model["fresh"] as? Int)
        #expect(artifacts == 252)
        // Within rounding: a Double does not always survive JSON text digit for digit.
        #expect(abs((model["coverage"] as? Double ?? -1) - Double(fresh) / Double(artifacts)) < 1e-9)
        #expect(["ok", "warn"].contains(model["coverage_status"] as? String))
        let cache = try #require(model["cache"] as? [String: Any])
        let lookups = try #require(cache["lookups"] as? Int)
        let hits = try #require(cache["hits"] as? Int)
        let misses = try #require(cache["misses"] as? Int)
        #expect(hits >= 2 && misses >= 1 && hits + misses == lookups)
        #expect(abs((cache["hit_rate"] as? Double ?? -1) - Double(hits) / Double(lookups)) < 1e-9)
        let top = try #require(cache["top"] as? [[String: Any]])
        #expect(!top.isEmpty && top.count <= 5)
        let similarity = try #require(model["similarity"] as? [String: Any])
        for group in ["recent", "older"] {
            let distribution = try #require(similarity[group] as? [String: Any], "\(group)")
            #expect(distribution["count"] as? Int == 100)
            let p10 = try #require(distribution["p10"] as? Double)
            let p90 = try #require(distribution["p90"] as? Double)
            #expect(p10 > 0 && p10 <= p90 && p90 < 1)
        }
        #expect(similarity["shifted"] as? Bool == false)
        let indexes = try #require(object["indexes"] as? [[String: Any]])
        #expect(indexes.contains { ($0["bytes_per_vector"] as? Double ?? 0) > 0 && $0["idx_scan"] is Int })
        let tables = try #require(object["tables"] as? [[String: Any]])
        #expect(tables.contains { $0["table"] as? String == "artifact_embeddings" && $0["dead_tuples"] is Int })

        let text = try cli.vecscope(["stats"], databaseURL: url)
        #expect(text.status == 0)
        #expect(text.stdout.contains("coverage") && text.stdout.contains("hit rate"), "\(text.stdout)")
    }
}
