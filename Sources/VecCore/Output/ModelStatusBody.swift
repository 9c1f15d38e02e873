import Foundation

/// One entry of `vecscope models --json`: a registered model and how many of its embeddings are current.
public struct ModelStatusBody: Codable, Sendable, Equatable {
    public var name: String
    public var provider: String
    public var dimensions: Int
    public var storage: VectorStorage
    public var costPerMTok: Double
    public var fresh: Int
    public var stale: Int
    public var missing: Int
    public var chunkVectors: Int
    public var costUSD: Double

    enum CodingKeys: String, CodingKey {
        case name, provider, dimensions, storage
        case costPerMTok = "cost_per_mtok"
        case fresh, stale, missing
        case chunkVectors = "chunk_vectors"
        case costUSD = "cost_usd"
    }

    public init(_ status: ModelStatus) {
        name = status.model.name
        provider = status.model.provider.rawValue
        dimensions = status.model.dimensions
        storage = status.model.storage
        costPerMTok = status.model.costPerMTok
        fresh = status.fresh
        stale = status.stale
        missing = status.missing
        chunkVectors = status.chunkVectors
        costUSD = status.costUSD
    }
}
