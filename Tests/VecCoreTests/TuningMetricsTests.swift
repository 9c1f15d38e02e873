import Foundation
import Testing

@testable import VecCore

/// Latency percentiles and ranking metrics, checked against values worked out by hand.
@Suite struct TuningMetricsTests {
    @Test func nearestRankPercentilesOfOneToHundred() {
        let stats = LatencyStats(samples: (1...100).map(Double.init).shuffled())
        #expect(stats.count == 100)
        // HdrHistogram keeps 3 significant digits: within 0.1% of the exact nearest-rank values.
        #expect(abs(stats.p50 - 50) <= 0.05)
        #expect(abs(stats.p95 - 95) <= 0.095)
        #expect(abs(stats.p99 - 99) <= 0.099)
        #expect(stats.max == 100)
        #expect(stats.mean == 50.5)
    }

    @Test func nearestRankOnAFewSamples() {
        let stats = LatencyStats(samples: [5, 1, 3])
        #expect(abs(stats.p50 - 3) <= 0.003)  // rank ⌈1.5⌉ = 2
        #expect(abs(stats.p95 - 5) <= 0.005)  // rank ⌈2.85⌉ = 3
        #expect(LatencyStats(samples: [7]).p99 == 7)
    }

    @Test func anEmptyRunIsAllZeros() {
        let stats = LatencyStats(samples: [])
        #expect(stats == LatencyStats(samples: [.nan]))
        #expect(stats.count == 0 && stats.p50 == 0 && stats.max == 0)
        #expect(LatencyStats.queriesPerSecond(count: 10, wallSeconds: 0) == 0)
    }

    @Test func queriesPerSecond() {
        #expect(LatencyStats.queriesPerSecond(count: 500, wallSeconds: 2) == 250)
    }

    // Ranking [1, 2, 3] against grades {1: 3, 2: 0, 3: 2, 4: 3}:
    // DCG@3 = 7/log2 2 + 0 + 3/log2 4 = 8.5; ideal [3, 3, 2] = 7 + 7/log2 3 + 3/2 = 12.91650…
    let grades = [1: 3, 2: 0, 3: 2, 4: 3]

    @Test func ndcgAgainstAHandComputedValue() {
        let ndcg = RankingMetrics.ndcg(ranking: [1, 2, 3], grades: grades, k: 3)
        #expect(abs(ndcg - 8.5 / (8.5 + 7 / log2(3.0))) < 1e-12)
        #expect(abs(ndcg - 0.658073) < 1e-6)
        #expect(RankingMetrics.ndcg(ranking: [1, 4, 3], grades: grades, k: 3) == 1)
        #expect(RankingMetrics.ndcg(ranking: [1, 2], grades: [2: 0], k: 3) == 0)
    }

    @Test func precisionCountsGradeTwoAndAbove() {
        #expect(RankingMetrics.precision(ranking: [1, 2, 3], grades: grades, k: 3) == 2.0 / 3)
        #expect(RankingMetrics.precision(ranking: [2, 9], grades: grades, k: 2) == 0)
        #expect(RankingMetrics.precision(ranking: [1], grades: grades, k: 4) == 0.25)
    }

    @Test func reciprocalRankOfTheFirstRelevant() {
        #expect(RankingMetrics.reciprocalRank(ranking: [1, 2, 3], grades: grades) == 1)
        #expect(RankingMetrics.reciprocalRank(ranking: [2, 9, 3], grades: grades) == 1.0 / 3)
        #expect(RankingMetrics.reciprocalRank(ranking: [2, 9], grades: grades) == 0)
        #expect(RankingMetrics.meanReciprocalRank([([1], grades), ([2, 3], grades)]) == 0.75)
    }
}
