import Foundation

/// One row of `vecscope bench --variants … --format json`: the sweep row's fields (`SweepRowBody`) plus the
/// variant, its index, size, size relative to the full-vector index and build time.
public struct VariantRowBody: Encodable, Sendable, Equatable {
    public var variant: VectorQuantization
    public var rerank: Int?
    public var indexName: String
    public var sizeBytes: Int
    public var sizeRatio: Double?
    public var buildSeconds: Double?
    public var builtNow: Bool
    public var row: SweepRowBody

    enum CodingKeys: String, CodingKey {
        case variant, rerank
        case indexName = "index_name"
        case sizeBytes = "size_bytes"
        case sizeRatio = "size_ratio"
        case buildSeconds = "build_seconds"
        case builtNow = "built_now"
    }

    public init(_ row: VariantRow, k: Int, userScoped: Bool) {
        variant = row.index.quantization
        rerank = row.rerank
        indexName = row.index.name
        sizeBytes = row.index.sizeBytes
        sizeRatio = row.sizeRatio
        buildSeconds = row.index.buildSeconds
        builtNow = row.index.builtNow
        self.row = SweepRowBody(row.sweep, k: k, userScoped: userScoped)
    }

    /// One flat object: the sweep row's keys, then these (null when unknown, so every row has every key).
    public func encode(to encoder: any Encoder) throws {
        try row.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(variant, forKey: .variant)
        try container.encode(rerank, forKey: .rerank)
        try container.encode(indexName, forKey: .indexName)
        try container.encode(sizeBytes, forKey: .sizeBytes)
        try container.encode(sizeRatio, forKey: .sizeRatio)
        try container.encode(buildSeconds, forKey: .buildSeconds)
        try container.encode(builtNow, forKey: .builtNow)
    }
}
