import Foundation

/// `vecscope stats --json`: embedding health per model, the vector indexes and tables, with the spec's thresholds.
public struct StatsBody: Codable, Sendable, Equatable {
    public var models: [ModelHealth]
    public var indexes: [IndexHealth]
    public var tables: [TableHealth]
    public var thresholds: Thresholds

    public struct Thresholds: Codable, Sendable, Equatable {
        public var coverage: Double
        public var cacheHitRate: Double

        enum CodingKeys: String, CodingKey {
            case coverage
            case cacheHitRate = "cache_hit_rate"
        }
    }

    /// `ok` at or above the threshold, `warn` below it, `n/a` with nothing to measure.
    public enum Status: String, Codable, Sendable { case ok, warn, notApplicable = "n/a" }

    public struct ModelHealth: Codable, Sendable, Equatable {
        public var model: String
        public var artifacts: Int
        public var fresh: Int
        public var stale: Int
        public var missing: Int
        /// Artifacts the worker's last attempt failed for (still queued, retried later).
        public var failed: Int
        /// fresh / artifacts (full text).
        public var coverage: Double?
        public var coverageStatus: Status
        public var refusedDocuments: Int
        public var refusedQueries: Int
        public var similarity: SimilarityShift
        public var cache: CacheHealth
        public var queue: QueueHealth
        public var growth: Growth

        enum CodingKeys: String, CodingKey {
            case model, artifacts, fresh, stale, missing, failed, coverage
            case coverageStatus = "coverage_status"
            case refusedDocuments = "refused_degenerate_documents"
            case refusedQueries = "refused_degenerate_queries"
            case similarity, cache, queue, growth
        }
    }

    /// Nearest-neighbour cosine similarity of sampled full-text vectors (each against all the model's others).
    public struct SimilarityDistribution: Codable, Sendable, Equatable {
        public var count: Int
        public var mean: Double
        public var p10: Double
        public var p50: Double
        public var p90: Double
    }

    /// The newest vectors against a sample of the older ones: a collapse (everything alike) or a drift shows as a
    /// moved median.
    public struct SimilarityShift: Codable, Sendable, Equatable {
        public var recent: SimilarityDistribution?
        public var older: SimilarityDistribution?
        /// recent p50 − older p50.
        public var medianShift: Double?
        public var shifted: Bool
        public var note: String?

        enum CodingKeys: String, CodingKey {
            case recent, older
            case medianShift = "median_shift"
            case shifted, note
        }
    }

    public struct CachedJob: Codable, Sendable, Equatable {
        /// sha256 of the job text (the cache keeps no text).
        public var hash: String
        public var accessCount: Int
        public var misses: Int
        /// ISO 8601, UTC.
        public var lastAccessedAt: String

        enum CodingKeys: String, CodingKey {
            case hash
            case accessCount = "access_count"
            case misses
            case lastAccessedAt = "last_accessed_at"
        }
    }

    public struct CacheHealth: Codable, Sendable, Equatable {
        public var entries: Int
        public var lookups: Int
        public var hits: Int
        public var misses: Int
        public var hitRate: Double?
        public var status: Status
        public var top: [CachedJob]

        enum CodingKeys: String, CodingKey {
            case entries, lookups, hits, misses
            case hitRate = "hit_rate"
            case status, top
        }
    }

    public struct QueueHealth: Codable, Sendable, Equatable {
        /// A worker follows the model: the trigger queues its changed artifacts.
        public var followed: Bool
        public var pending: Int
        public var failed: Int
        public var oldestSeconds: Double?
        public var lastError: String?

        enum CodingKeys: String, CodingKey {
            case followed, pending, failed
            case oldestSeconds = "oldest_seconds"
            case lastError = "last_error"
        }
    }

    /// Vectors (full, summary) written for the model lately, and what they take on disk.
    public struct Growth: Codable, Sendable, Equatable {
        public var vectors: Int
        public var writtenLastDay: Int
        public var writtenLastWeek: Int
        /// The table's size (heap, TOAST, indexes) divided by its rows.
        public var bytesPerRow: Double?
        public var estimatedBytes: Int

        enum CodingKeys: String, CodingKey {
            case vectors
            case writtenLastDay = "written_last_24h"
            case writtenLastWeek = "written_last_7d"
            case bytesPerRow = "bytes_per_row"
            case estimatedBytes = "estimated_bytes"
        }
    }

    public struct IndexHealth: Codable, Sendable, Equatable {
        public var name: String
        public var table: String
        public var model: String?
        public var type: String
        public var sizeBytes: Int
        public var vectors: Int
        public var bytesPerVector: Double?
        public var scans: Int
        public var valid: Bool

        enum CodingKeys: String, CodingKey {
            case name, table, model, type
            case sizeBytes = "size_bytes"
            case vectors
            case bytesPerVector = "bytes_per_vector"
            case scans = "idx_scan"
            case valid
        }
    }

    public struct TableHealth: Codable, Sendable, Equatable {
        public var table: String
        public var sizeBytes: Int
        public var liveTuples: Int
        public var deadTuples: Int
        /// ISO 8601, UTC; the later of manual and autovacuum.
        public var lastVacuum: String?
        public var lastAnalyze: String?

        enum CodingKeys: String, CodingKey {
            case table
            case sizeBytes = "size_bytes"
            case liveTuples = "live_tuples"
            case deadTuples = "dead_tuples"
            case lastVacuum = "last_vacuum"
            case lastAnalyze = "last_analyze"
        }
    }
}
