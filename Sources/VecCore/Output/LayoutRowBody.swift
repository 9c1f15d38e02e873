import Foundation

/// One row of `vecscope bench --user-scoped --partitions N --format json`: the sweep row's fields (`SweepRowBody`)
/// plus the table's layout during it and its p95 over the shared layout's at the same setting.
public struct LayoutRowBody: Encodable, Sendable, Equatable {
    /// "shared" (one table, one index per model) or "partitioned" (hash partitions by user, one index each).
    public var layout: String
    /// Hash partitions (0 for shared).
    public var partitions: Int
    public var p95Ratio: Double?
    public var row: SweepRowBody

    enum CodingKeys: String, CodingKey {
        case layout, partitions
        case p95Ratio = "p95_ratio"
    }

    public init(layout: String, partitions: Int, p95Ratio: Double?, row: SweepRowBody) {
        self.layout = layout
        self.partitions = partitions
        self.p95Ratio = p95Ratio
        self.row = row
    }

    /// One flat object: the sweep row's keys, then these.
    public func encode(to encoder: any Encoder) throws {
        try row.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(layout, forKey: .layout)
        try container.encode(partitions, forKey: .partitions)
        try container.encode(p95Ratio, forKey: .p95Ratio)
    }
}
