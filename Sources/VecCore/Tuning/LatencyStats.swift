import Foundation

/// Percentiles of a run's latencies by nearest rank on the sorted samples (exact, no histogram buckets).
public struct LatencyStats: Sendable, Equatable, Codable {
    public var count: Int
    public var p50: Double
    public var p95: Double
    public var p99: Double
    public var max: Double
    public var mean: Double

    /// Samples in ms; an empty run gives all zeros.
    public init(samples: [Double]) {
        let sorted = samples.filter { !$0.isNaN }.sorted()
        count = sorted.count
        p50 = Self.percentile(50, ofSorted: sorted)
        p95 = Self.percentile(95, ofSorted: sorted)
        p99 = Self.percentile(99, ofSorted: sorted)
        max = sorted.last ?? 0
        mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
    }

    /// Nearest rank: the smallest sample with at least `p`% of samples at or below it (rank ⌈p/100 × n⌉).
    public static func percentile(_ p: Double, ofSorted sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }

    /// Queries per second for `count` queries completed in `wallSeconds` (0 for an empty or instant run).
    public static func queriesPerSecond(count: Int, wallSeconds: Double) -> Double {
        wallSeconds > 0 ? Double(count) / wallSeconds : 0
    }
}
