import Testing
import VecCore

/// The names front ends accept for search enums: raw values plus the short forms users type.
@Suite struct UserSpellingsTests {
    @Test func metricTakesBothSpellingsOfInnerProduct() {
        #expect(DistanceMetric(name: "ip") == .innerProduct)
        #expect(DistanceMetric(name: "inner_product") == .innerProduct)
        #expect(DistanceMetric(name: "cosine") == .cosine && DistanceMetric(name: "l2") == .l2)
        #expect(DistanceMetric(name: "dot") == nil && DistanceMetric(name: "IP") == nil)
        #expect(DistanceMetric.names.compactMap(DistanceMetric.init(name:)).count == DistanceMetric.names.count)
    }

    @Test func contentTypeTakesChunksForChunk() {
        #expect(ContentType(name: "chunks") == .chunk && ContentType(name: "chunk") == .chunk)
        #expect(ContentType(name: "full") == .full && ContentType(name: "body") == nil)
        #expect(Set(ContentType.names.compactMap(ContentType.init(name:))) == Set(ContentType.allCases))
    }

    @Test func fusionKindFollowsTheFusion() {
        #expect(HybridFusion.rrf(k: 60).kind == .rrf && HybridFusion.weighted(alpha: 0.5).kind == .weighted)
    }
}
