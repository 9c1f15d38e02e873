import Foundation
import Histogram

/// A run's latencies aggregated with HdrHistogram (microsecond resolution, 3 significant digits: a percentile is
/// within 0.1% of the exact one), so long runs and many threads aggregate in bounded memory; max and mean are exact.
public struct LatencyStats: Sendable, Equatable, Codable {
    public var count: Int
    public var p50: Double
    public var p95: Double
    public var p99: Double
    public var max: Double
    public var mean: Double

    /// Samples in ms; an empty run gives all zeros.
    public init(samples: [Double]) {
        let valid = samples.filter { !$0.isNaN && $0 >= 0 }
        count = valid.count
        max = valid.max() ?? 0
        mean = valid.isEmpty ? 0 : valid.reduce(0, +) / Double(valid.count)
        guard !valid.isEmpty else {
            p50 = 0; p95 = 0; p99 = 0
            return
        }
        // 1 µs … 1 hour; a longer sample is clamped rather than dropped.
        let highest: UInt64 = 3_600_000_000
        var histogram = Histogram<UInt64>(highestTrackableValue: highest, numberOfSignificantValueDigits: .three)
        for milliseconds in valid {
            _ = histogram.record(Swift.min(UInt64((milliseconds * 1_000).rounded()), highest))
        }
        func at(_ percentile: Double) -> Double {
            // The bucket's upper edge can pass the largest sample: never report more than was seen.
            Swift.min(Double(histogram.valueAtPercentile(percentile)) / 1_000, valid.max() ?? 0)
        }
        p50 = at(50)
        p95 = at(95)
        p99 = at(99)
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
