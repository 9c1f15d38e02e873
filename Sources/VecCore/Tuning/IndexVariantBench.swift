import Foundation

/// One index variant as `bench --variants` measures it: the index searched, its size, how long its build took.
public struct BenchedIndex: Sendable, Equatable {
    public var name: String
    public var quantization: VectorQuantization
    public var sizeBytes: Int
    /// Seconds its build took: measured now, or kept from vecscope's earlier build (the index's comment); nil for an
    /// index built some other way.
    public var buildSeconds: Double?
    public var builtNow: Bool
}

/// One row of `bench --variants`: a variant at one re-ranking depth (bit only) and one knob setting.
public struct VariantRow: Sendable, Equatable {
    public var index: BenchedIndex
    public var rerank: Int?
    /// Size over the full-vector index of the same type and metric; nil when there is none.
    public var sizeRatio: Double?
    public var sweep: SweepRow
}

/// Full vectors vs half precision vs binary quantization with re-ranking (issue 18, item 2): each variant's index is
/// found or built, then searched pinned (`SearchParams.plan`) under every setting with recall against exact
/// full-precision search.
public struct IndexVariantBench {
    public var model: EmbeddingModel
    public var type: VectorIndexType
    public var metric: DistanceMetric

    public init(model: EmbeddingModel, type: VectorIndexType, metric: DistanceMetric) {
        self.model = model
        self.type = type
        self.metric = metric
    }

    public func spec(_ quantization: VectorQuantization, rows: Int) -> VectorIndexSpec {
        VectorIndexSpec(
            model: model, type: type, metric: metric, quantization: quantization,
            lists: IndexAdvice.recommendedLists(rows: rows))
    }

    /// The index of each variant: the existing one of that name, else built now (`progress` gets each build's
    /// phases). Returns them in the order asked, and the full-vector index's size when one exists.
    public func prepare(
        _ variants: [VectorQuantization], manager: IndexManager, monitor: Connection?,
        progress: (VectorQuantization, IndexBuildProgress) -> Void = { _, _ in }
    ) throws -> (indexes: [BenchedIndex], fullSize: Int?) {
        let rows = try manager.modelRows(table: VectorTable.artifactEmbeddings.rawValue, model: model.name)
        var indexes: [BenchedIndex] = []
        for quantization in variants {
            let summary = try manager.create(spec(quantization, rows: rows), monitor: monitor) {
                progress(quantization, $0)
            }
            let info = try manager.index(named: summary.name)
            indexes.append(
                BenchedIndex(
                    name: info.name, quantization: quantization, sizeBytes: info.sizeBytes,
                    buildSeconds: summary.alreadyExisted ? info.buildSeconds : summary.seconds,
                    builtNow: !summary.alreadyExisted))
        }
        let fullName = spec(.none, rows: rows).name
        let full = try manager.list(countingRows: false).first { $0.name == fullName }
        return (indexes, full?.sizeBytes)
    }

    /// Every index through `sweep` under `settings`, pinned; a bit index once per re-ranking depth. Pareto marks
    /// (recall vs p95) are across all rows. `progress` counts the sweeps done.
    public func run(
        _ indexes: [BenchedIndex], fullSize: Int?, reranks: [Int], settings: [SweepSetting], queries: [SweepQuery],
        sweep: Sweep, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> [VariantRow] {
        let runs: [(BenchedIndex, Int?)] = indexes.flatMap { index in
            index.quantization == .bit ? reranks.map { (index, Optional($0)) } : [(index, nil)]
        }
        var rows: [VariantRow] = []
        for (done, (index, rerank)) in runs.enumerated() {
            var pinned = sweep
            pinned.base.plan = .index(index.name)
            pinned.base.metric = metric
            pinned.base.rerank = rerank
            try pinned.base.validate()
            let ratio = fullSize.flatMap { $0 > 0 ? Double(index.sizeBytes) / Double($0) : nil }
            for row in try pinned.run(settings, queries: queries) {
                rows.append(VariantRow(index: index, rerank: rerank, sizeRatio: ratio, sweep: row))
            }
            progress(done + 1, runs.count)
        }
        let marked = Sweep.markingParetoFront(rows.map(\.sweep))
        for position in rows.indices { rows[position].sweep = marked[position] }
        return rows
    }
}
