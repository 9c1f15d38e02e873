import Foundation
import VecCore

/// The `[String: Any]` + JSONSerialization builders `--json` used before the typed response bodies, copied from
/// the commands as they were (b65a585). They are the reference the bodies must reproduce; they live only here.
enum LegacyJSON {
    static func text(_ object: Any, pretty: Bool = true) throws -> String {
        let options: JSONSerialization.WritingOptions =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: options), as: UTF8.self)
    }

    static func number(_ value: Double) -> Any { value.isNaN ? NSNull() : value }

    static func search(_ response: SearchResponse, metric: DistanceMetric) -> [String: Any] {
        [
            "results": response.results.map { r -> [String: Any] in
                [
                    "artifact_id": r.artifactID, "external_id": r.externalID, "user": r.userExternalID,
                    "similarity_score": number(r.similarity),
                    "distance": number(r.distance(for: metric)),
                    "cosine_distance": number(r.cosineDistance),
                    "l2_distance": number(r.l2Distance),
                    "inner_product": number(r.innerProduct),
                    "keyword_match_score": r.keywordScore ?? 0, "relevance_score": r.relevanceScore,
                    "matched_content_type": r.matchedContentType.rawValue, "rank": r.rank,
                    "artifact": ["title": r.title, "type": r.type.rawValue, "description": r.description],
                    "explanation": r.explanation.text,
                ]
            },
            "query_info": queryInfo(response.info),
        ]
    }

    static func rank(_ response: SearchResponse) -> [String: Any] {
        [
            "ranked_artifacts": response.results.map { r -> [String: Any] in
                [
                    "artifact_id": r.artifactID, "external_id": r.externalID, "user": r.userExternalID,
                    "relevance_score": r.relevanceScore, "semantic_similarity": number(r.similarity),
                    "keyword_match_score": r.keywordScore ?? 0, "explanation": r.explanation.text,
                    "semantic_rank": r.semanticRank as Any, "keyword_rank": r.keywordRank as Any,
                    "matched_terms": r.matchedTerms, "title": r.title, "type": r.type.rawValue, "rank": r.rank,
                    // Added with BM25 (a superset of the old output): each matched term's contribution.
                    "keyword_terms": r.keywordTerms.map { ["term": $0.term, "contribution": $0.contribution] },
                ]
            },
            "job_embedding_generated": !response.info.embeddingCached,
            "processing_metadata": queryInfo(response.info),
        ]
    }

    static func queryInfo(_ info: QueryInfo) -> [String: Any] {
        var object: [String: Any] = [
            "method": info.method.rawValue, "total_candidates": info.totalCandidates,
            "processing_time_ms": info.clientWallMs, "rows_returned": info.rowsReturned, "limit": info.limit,
            "embedding_ms": info.embeddingMs, "embedding_cached": info.embeddingCached,
            "parameters": parameters(info.parameters),
        ]
        if let plan = info.plan { object["plan"] = plan }
        if let index = info.indexName { object["index_name"] = index }
        if let server = info.serverExecutionMs { object["server_execution_ms"] = server }
        return object
    }

    static func parameters(_ p: SearchParams) -> [String: Any] {
        var object: [String: Any] = [
            "metric": p.metric.rawValue, "limit": p.limit, "ef_search": p.efSearch, "probes": p.probes,
            "iterative_scan": p.iterativeScan.rawValue, "max_scan_tuples": p.maxScanTuples, "model": p.model,
            "method": p.method.rawValue, "content_types": p.contentTypes.map(\.rawValue),
            "artifact_types": p.artifactTypes.map(\.rawValue),
        ]
        if let threshold = p.similarityThreshold { object["similarity_threshold"] = threshold }
        if case .user(let id) = p.userScope { object["user"] = id }
        switch p.fusion {
        case .rrf(let k): object["fusion"] = ["type": "rrf", "k": k]
        case .weighted(let alpha): object["fusion"] = ["type": "weighted", "alpha": alpha]
        }
        // Added with BM25 (a superset of the old output).
        object["bm25"] = [
            "k1": p.bm25.k1, "b": p.bm25.b, "title_weight": p.bm25.titleWeight, "skills_weight": p.bm25.skillsWeight,
            "description_weight": p.bm25.descriptionWeight, "content_weight": p.bm25.contentWeight,
            "max_terms": p.bm25.maxTerms, "candidate_postings": p.bm25.candidatePostings,
        ]
        // Added with plan control (a superset again).
        object["plan"] = p.plan.label
        return object
    }

    static func bench(_ rows: [SweepRow], k: Int, userScoped: Bool) -> [[String: Any]] {
        rows.map { row in
            var object: [String: Any] = [
                "ef_search": row.setting.efSearch, "probes": row.setting.probes,
                "iterative_scan": row.setting.iterativeScan.rawValue,
                "queries": row.queries, "k": k, "recall_mean": row.recallMean, "recall_min": row.recallMin,
                "p50_ms": row.latency.p50, "p95_ms": row.latency.p95, "p99_ms": row.latency.p99,
                "max_ms": row.latency.max,
                "qps": row.queriesPerSecond, "concurrency": row.concurrency, "mean_shortfall": row.meanShortfall,
                "queries_short": row.queriesShort, "pareto": row.onParetoFront, "user_scoped": userScoped,
            ]
            if let server = row.serverLatency {
                object["server_p50_ms"] = server.p50; object["server_p95_ms"] = server.p95
            }
            if let plan = row.plan { object["plan"] = plan }
            return object
        }
    }

    static func indexList(_ indexes: [VectorIndexInfo]) -> [[String: Any]] {
        indexes.map { info -> [String: Any] in
            var object: [String: Any] = [
                "name": info.name, "table": info.table, "model": info.model.map { $0 as Any } ?? NSNull(),
                "type": info.type, "opclass": info.opclass,
                "size_bytes": info.sizeBytes, "rows": info.rows, "idx_scan": info.scans, "valid": info.valid,
            ]
            if let m = info.m { object["m"] = m }
            if let ef = info.efConstruction { object["ef_construction"] = ef }
            if let lists = info.lists { object["lists"] = lists }
            object["quantization"] = info.quantization.rawValue
            if let seconds = info.buildSeconds { object["build_seconds"] = seconds }
            return object
        }
    }

    static func indexCreate(_ summary: IndexBuildSummary, rows: Int) -> [String: Any] {
        [
            "name": summary.name, "rows": rows, "seconds": summary.seconds,
            "already_existed": summary.alreadyExisted, "phases": summary.phasesSeen,
        ]
    }

    static func models(_ statuses: [ModelStatus]) -> [[String: Any]] {
        statuses.map { s -> [String: Any] in
            [
                "name": s.model.name, "provider": s.model.provider.rawValue, "dimensions": s.model.dimensions,
                "storage": s.model.storage.rawValue, "cost_per_mtok": s.model.costPerMTok, "fresh": s.fresh,
                "stale": s.stale, "missing": s.missing, "chunk_vectors": s.chunkVectors, "cost_usd": s.costUSD,
            ]
        }
    }

    static func load(_ summary: LoadSummary) -> [String: Any] {
        [
            "inserted": summary.inserted, "updated": summary.updated, "unchanged": summary.unchanged,
            "rejected": summary.rejected.map { ["line": $0.line, "reason": $0.reason] },
            // Added with issue 15: lines replaced by a later line with the same (user, id).
            "duplicates": summary.duplicates.map {
                ["line": $0.line, "earlier_line": $0.earlierLine, "id": $0.id, "user": $0.user] as [String: Any]
            },
            "marked_stale": summary.markedStale, "users": summary.users,
        ]
    }

    static func gen(_ summary: SyntheticDataLoader.Summary, dimensions dims: Int) -> [String: Any] {
        [
            "model": summary.model, "users": summary.users, "artifacts": summary.artifacts, "dimensions": dims,
            "seconds": summary.seconds, "load_seconds": summary.loadSeconds,
            "vectors_per_second": summary.vectorsPerSecond,
        ]
    }

    static func embed(_ summary: EmbeddingPipeline.Summary, model: String) -> [String: Any] {
        [
            "model": model,
            "embedded": Dictionary(uniqueKeysWithValues: summary.embedded.map { ($0.key.rawValue, $0.value) }),
            "skipped": summary.skipped, "failed_items": summary.failedItems, "failed_batches": summary.failedBatches,
            "total_tokens": summary.totalTokens, "cost_usd": summary.costUSD, "seconds": summary.seconds,
            "created_indexes": summary.createdIndexes,
        ]
    }

    /// embed-text printed compact JSON (no pretty printing).
    static func embedText(model: String, dimensions: Int, vectors: [[Float]]) -> [String: Any] {
        ["model": model, "dimensions": dimensions, "embeddings": vectors.map { $0.map { Double($0) } }]
    }

    static func dbStatus(_ status: EmbeddedPostgres.Status) -> [String: Any] {
        [
            "running": status.running, "pid": status.pid.map { Int($0) } as Any, "port": status.port as Any,
            "url": status.url as Any, "data_directory": status.dataDirectory,
            "install_directory": status.installDirectory, "socket_directory": status.socketDirectory,
            "log_file": status.logFile, "runs_as": status.runsAs as Any, "initialized": status.initialized,
            "stale_lock_file": status.staleLockFile,
        ]
    }
}
