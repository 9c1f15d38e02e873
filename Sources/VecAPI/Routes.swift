import Foundation
import Hummingbird
import NIOCore
import VecCore

/// The routes: each decodes its body, calls VecCore on a pooled worker and encodes VecCore's response body.
/// Nothing here ranks, embeds or writes SQL.
struct Routes: Sendable {
    let pool: DatabasePool
    let metrics: APIMetrics
    let configuration: APIConfiguration

    func register(on router: Router<APIContext>) {
        router.get("healthz") { _, _ in try await health() }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.text)))
        }
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: try OpenAPIDocument.text())))
        }
        let api = router.group("api/v1").add(middleware: BearerTokenMiddleware(pool: pool))
        api.post("artifacts/search/similar") { request, context in
            let body = try await request.jsonBody(limit: limit)
            return try await similar(try body.decode(), knobs: try body.decode(), context)
        }
        api.post("artifacts/rank") { request, context in
            let body = try await request.jsonBody(limit: limit)
            return try await rank(try body.decode(), knobs: try body.decode(), context)
        }
        api.post("artifacts/:id/embeddings") { request, context in
            try await embed(try await request.jsonBody(limit: limit).decode(), context)
        }
        api.get("artifacts/:id/embeddings") { _, context in try await embeddings(context) }
    }

    /// Every route's path and methods, for the 405 answer to any other method on a known path (`ErrorMiddleware`).
    static let methodsByPath: [(path: [Substring], methods: [HTTPRequest.Method])] = [
        (["healthz"], [.get]), (["metrics"], [.get]), (["openapi.json"], [.get]),
        (["api", "v1", "artifacts", "search", "similar"], [.post]), (["api", "v1", "artifacts", "rank"], [.post]),
        (["api", "v1", "artifacts", ":id", "embeddings"], [.get, .post]),
    ]

    /// The methods a path has routes for; nil for a path with no route at all.
    static func methods(forPath path: String) -> [HTTPRequest.Method]? {
        let segments = path.split(separator: "/")
        return methodsByPath.first { route in
            route.path.count == segments.count
                && zip(route.path, segments).allSatisfy { pattern, segment in pattern == ":id" || pattern == segment }
        }?.methods
    }

    private var limit: Int { configuration.maxBodyBytes }

    private func health() async throws -> Response {
        let body = try await pool.withWorker { worker in
            let connection = try worker.connection
            try connection.ping()
            guard let version = try Inventory(connection: connection).pgvectorVersion() else {
                throw VecscopeError(
                    what: "pgvector is not installed in the database",
                    fix: "Run `vecscope migrate`, which creates the extension.")
            }
            return HealthBody(pgvector: version, serverVersion: connection.serverVersion)
        }
        return try json(body)
    }

    private func similar(
        _ request: SimilarSearchRequest, knobs: SearchKnobs, _ context: APIContext
    ) async throws
        -> Response
    {
        let caller = try context.caller()
        let params = try request.searchParams(knobs, for: caller, tuned: configuration.indexTuning)
        let query = try request.query()
        let response = try await pool.withWorker { worker in
            let engine = try worker.engine()
            return try engine.search(query, params: try knobs.pinned(params, on: engine))
        }
        metrics.recordSearch(method: params.method, milliseconds: response.info.clientWallMs)
        return try json(SearchResponseBody(response))
    }

    private func rank(_ request: RankRequest, knobs: SearchKnobs, _ context: APIContext) async throws -> Response {
        let caller = try context.caller()
        let params = try knobs.params(for: caller, tuned: configuration.indexTuning)
        let method = try request.method
        let response = try await pool.withWorker { worker in
            let engine = try worker.engine()
            return try engine.rank(
                jobDescription: request.jobDescription, artifacts: request.artifactIds.map { .ids($0) },
                method: method, topK: request.topK ?? 5, params: try knobs.pinned(params, on: engine))
        }
        metrics.recordSearch(method: method, milliseconds: response.info.clientWallMs)
        return try json(RankResponseBody(response))
    }

    private func embed(_ request: EmbedRequest, _ context: APIContext) async throws -> Response {
        let caller = try context.caller()
        let id = try artifactID(context)
        let contentType = try request.type
        if request.async == true { return try await queue(request, contentType: contentType, artifactID: id, caller) }
        let (body, generated) = try await pool.withWorker { worker -> (ArtifactEmbeddingBody, Bool) in
            let engine = try worker.engine()
            let store = ArtifactEmbeddings(connection: engine.connection)
            let artifact = try store.artifact(id: id, scope: try caller.scope(userOnly: !caller.admin))
            let model = try engine.model(named: request.model ?? SearchParams.defaultModel)
            let (generated, stored) = try store.embed(
                artifactID: artifact.id, contentType: contentType, force: request.forceRegenerate ?? false,
                model: model, embedder: try engine.embedder(for: model))
            return (ArtifactEmbeddingBody(stored, artifact: artifact, generated: generated), generated)
        }
        return try json(body, status: generated ? .created : .ok)
    }

    /// `async`: the artifact is left to `vecscope worker`; 202 says what was queued.
    private func queue(
        _ request: EmbedRequest, contentType: ContentType, artifactID id: Int, _ caller: APICaller
    ) async throws -> Response {
        if request.forceRegenerate == true {
            throw VecscopeError(
                what: "force_regenerate cannot be combined with async",
                why: "the worker embeds only texts whose vector is missing or stale",
                fix: "Send async alone to have a worker embed what changed, or force_regenerate alone to embed now.",
                kind: .invalidInput)
        }
        let body = try await pool.withWorker { worker in
            let engine = try worker.engine()
            let store = ArtifactEmbeddings(connection: engine.connection)
            let artifact = try store.artifact(id: id, scope: try caller.scope(userOnly: !caller.admin))
            let model = try engine.model(named: request.model ?? SearchParams.defaultModel)
            let queued = try store.queue(artifactID: artifact.id, model: model)
            return QueuedEmbeddingBody(queued, artifact: artifact, contentType: contentType, model: model.name)
        }
        return try json(body, status: .accepted)
    }

    private func embeddings(_ context: APIContext) async throws -> Response {
        let caller = try context.caller()
        let id = try artifactID(context)
        let body = try await pool.withWorker { worker in
            let store = ArtifactEmbeddings(connection: try worker.connection)
            let artifact = try store.artifact(id: id, scope: try caller.scope(userOnly: !caller.admin))
            return ArtifactEmbeddingListBody(try store.stored(artifactID: artifact.id), artifact: artifact)
        }
        return try json(body)
    }

    /// The `{id}` of the path: an artifact's numeric id. Anything else names no artifact: 404.
    private func artifactID(_ context: APIContext) throws -> Int {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int(text), id > 0 else {
            throw VecscopeError(
                what: "no artifact \(text)", why: "artifact ids are positive integers",
                fix: "Use the numeric id of one of your artifacts, as search results give it (artifact_id).",
                kind: .notFound)
        }
        return id
    }

    private func json(_ body: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: try JSONText.encode(body, pretty: false))))
    }
}
