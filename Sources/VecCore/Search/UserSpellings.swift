import Foundation

// The names users type for search enums, where they differ from the raw values; the CLI's flags and any other
// front end parse with these, so each spelling is accepted everywhere or nowhere.

extension DistanceMetric {
    /// Every accepted spelling: the raw values and `ip`, the short form pgvector's operator classes use.
    public static let names = ["cosine", "l2", "inner_product", "ip"]

    public init?(name: String) {
        self.init(rawValue: name == "ip" ? DistanceMetric.innerProduct.rawValue : name)
    }
}

extension ContentType {
    /// Every accepted spelling: the raw values and `chunks`, as `embed` has always named them.
    public static let names = ["full", "summary", "chunk", "chunks"]

    public init?(name: String) {
        self.init(rawValue: name == "chunks" ? ContentType.chunk.rawValue : name)
    }
}

extension HybridFusion {
    /// Which fusion, without its number (k or alpha), as a flag or a response names it.
    public enum Kind: String, CaseIterable, Codable, Sendable { case rrf, weighted }

    public var kind: Kind {
        switch self {
        case .rrf: return .rrf
        case .weighted: return .weighted
        }
    }
}
