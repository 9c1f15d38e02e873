import Foundation

extension RankingMetrics {
    /// Rank-biased overlap of two rankings to `depth` (Webber, Moffat & Zobel 2010, extrapolated form RBO_ext):
    /// (1 − p) Σ_{d=1..k} p^(d−1) · A_d / d + p^k · A_k / k, where A_d is the overlap of the two top d. Unlike
    /// overlap@k it weighs agreement at the top more (p = 0.9: the top 10 carry about 86% of the weight), so two
    /// lists holding the same items in another order score below 1. 1 for identical lists, 0 for disjoint ones.
    public static func rankBiasedOverlap(_ a: [Int], _ b: [Int], depth: Int, p: Double = 0.9) -> Double {
        let k = min(depth, max(a.count, b.count))
        guard k > 0 else { return 1 }
        var seenA = Set<Int>(), seenB = Set<Int>()
        var overlap = 0
        var sum = 0.0
        var weight = 1.0
        for d in 1...k {
            if d <= a.count {
                if seenB.contains(a[d - 1]) { overlap += 1 }
                seenA.insert(a[d - 1])
            }
            if d <= b.count {
                if seenA.contains(b[d - 1]) { overlap += 1 }
                seenB.insert(b[d - 1])
            }
            sum += weight * Double(overlap) / Double(d)
            weight *= p
        }
        return (1 - p) * sum + weight * Double(overlap) / Double(k)
    }
}
