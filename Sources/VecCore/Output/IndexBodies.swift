import Foundation

/// One entry of `vecscope index list --json`. `model` is `null` for an index without a model predicate;
/// `m`, `ef_construction` and `lists` are present only for the index type that has them.
public struct VectorIndexBody: Codable, Sendable, Equatable {
    public var name: String
    public var table: String
    public var model: String?
    public var type: String
    public var opclass: String
    public var sizeBytes: Int
    public var rows: Int
    public var idxScan: Int
    public var valid: Bool
    public var m: Int?
    public var efConstruction: Int?
    public var lists: Int?
    /// none, halfvec or bit.
    public var quantization: VectorQuantization
    /// The last build by vecscope; absent for an index built otherwise.
    public var buildSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case name, table, model, type, opclass, quantization
        case buildSeconds = "build_seconds"
        case sizeBytes = "size_bytes"
        case rows
        case idxScan = "idx_scan"
        case valid, m
        case efConstruction = "ef_construction"
        case lists
    }

    public init(_ info: VectorIndexInfo) {
        name = info.name
        table = info.table
        model = info.model
        type = info.type
        opclass = info.opclass
        sizeBytes = info.sizeBytes
        rows = info.rows
        idxScan = info.scans
        valid = info.valid
        m = info.m
        efConstruction = info.efConstruction
        lists = info.lists
        quantization = info.quantization
        buildSeconds = info.buildSeconds
    }

    // Written out because `model` is null when unknown while the build parameters are absent.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(table, forKey: .table)
        try container.encode(model, forKey: .model)
        try container.encode(type, forKey: .type)
        try container.encode(opclass, forKey: .opclass)
        try container.encode(sizeBytes, forKey: .sizeBytes)
        try container.encode(rows, forKey: .rows)
        try container.encode(idxScan, forKey: .idxScan)
        try container.encode(valid, forKey: .valid)
        try container.encodeIfPresent(m, forKey: .m)
        try container.encodeIfPresent(efConstruction, forKey: .efConstruction)
        try container.encodeIfPresent(lists, forKey: .lists)
        try container.encode(quantization, forKey: .quantization)
        try container.encodeIfPresent(buildSeconds, forKey: .buildSeconds)
    }
}

/// `vecscope index create --json`: the index built (or found), over how many rows, and the build phases seen.
public struct IndexCreationBody: Codable, Sendable, Equatable {
    public var name: String
    public var rows: Int
    public var seconds: Double
    public var alreadyExisted: Bool
    public var phases: [String]

    enum CodingKeys: String, CodingKey {
        case name, rows, seconds
        case alreadyExisted = "already_existed"
        case phases
    }

    public init(_ summary: IndexBuildSummary, rows: Int) {
        name = summary.name
        self.rows = rows
        seconds = summary.seconds
        alreadyExisted = summary.alreadyExisted
        phases = summary.phasesSeen
    }
}
