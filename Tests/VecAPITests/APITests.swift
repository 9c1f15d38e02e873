import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing
import VecAPI

@testable import VecCore

/// The HTTP API on the fixture database: the spec's shapes, tokens, isolation between users, and every error.
@Suite struct APITests {
    static let similar = "/api/v1/artifacts/search/similar/"
    static let rank = "/api/v1/artifacts/rank/"

    @Test func healthzAndOpenAPINeedNoToken() async throws {
        let committed = try String(
            contentsOf: FixturePaths.folder.deletingLastPathComponent().appendingPathComponent(
                "Sources/VecAPI/openapi.json"), encoding: .utf8)
        try await API.test { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            let body = try API.json(health)
            #expect(body["status"] as? String == "ok")
            #expect((body["pgvector"] as? String)?.hasPrefix("0.") == true)
            let document = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(document.status == .ok)
            #expect(document.text == committed)
        }
    }

    @Test func theSpecsSimilarSearchExampleAnswersWithItsShape() async throws {
        let token = try API.token("u01")
        try await API.test(.live) { client in
            let response = try await API.post(
                client, Self.similar, token: token,
                ["query_text": "Python machine learning projects", "limit": 10, "similarity_threshold": 0.2])
            #expect(response.status == .ok, "\(response.text)")
            let body = try API.json(response)
            let results = try #require(body["results"] as? [[String: Any]])
            #expect(!results.isEmpty)
            for result in results {
                #expect(result["artifact_id"] is Int)
                #expect(result["external_id"] is String)
                #expect(result["similarity_score"] is Double)
                #expect(result["distance"] is Double)
                let artifact = try #require(result["artifact"] as? [String: Any])
                #expect(artifact["title"] is String && artifact["type"] is String && artifact["description"] is String)
                #expect(result["user"] as? String == "u01")
                #expect((result["similarity_score"] as? Double ?? 0) >= 0.2)
            }
            let info = try #require(body["query_info"] as? [String: Any])
            #expect(info["method"] as? String == "semantic")
            #expect(info["total_candidates"] is Int)
            #expect(info["processing_time_ms"] is Double)
        }
    }

    @Test func pathsRouteWithAndWithoutTheTrailingSlash() async throws {
        let token = try API.token("u02")
        try await API.test { client in
            for uri in [Self.similar, String(Self.similar.dropLast())] {
                let response = try await API.post(client, uri, token: token, ["query_text": "kubernetes"])
                #expect(response.status == .ok, "\(uri): \(response.text)")
            }
        }
    }

    @Test func theSpecsRankExampleAnswersWithItsShape() async throws {
        let token = try API.token("u03")
        let job = try JobCatalog.load(from: FixturePaths.folder).job(id: "j01").text
        try await API.test { client in
            let response = try await API.post(
                client, Self.rank, token: token, ["job_description": job, "ranking_method": "hybrid", "top_k": 5])
            #expect(response.status == .ok, "\(response.text)")
            let body = try API.json(response)
            let ranked = try #require(body["ranked_artifacts"] as? [[String: Any]])
            #expect(ranked.count == 5)
            for artifact in ranked {
                #expect(artifact["artifact_id"] is Int)
                #expect(artifact["relevance_score"] is Double)
                #expect(artifact["keyword_match_score"] is Double)
                #expect(artifact["explanation"] is String)
                #expect(artifact.keys.contains("semantic_similarity"))
                #expect(artifact["user"] as? String == "u03")
            }
            #expect(body["job_embedding_generated"] is Bool)
            #expect(body["processing_metadata"] is [String: Any])
        }
    }

    @Test func aTwoHundredKilobyteJobDescriptionFits() async throws {
        let token = try API.token("u04")
        let job = String(repeating: "Senior backend engineer: Go, PostgreSQL, Kubernetes, observability. ", count: 3000)
        #expect(job.utf8.count > 200_000)
        try await API.test { client in
            let response = try await API.post(
                client, Self.rank, token: token, ["job_description": job, "ranking_method": "keyword", "top_k": 3])
            #expect(response.status == .ok, "\(response.text.prefix(300))")
        }
    }

    /// Issue 18, item 4: the tuning `tune index --apply` stored (read when serve starts) sets ef_search on both routes
    /// unless the request sets it.
    @Test func theStoredIndexTuningSetsEfSearchUnlessTheRequestDoes() async throws {
        let token = try API.token("u01")
        let tuning = IndexTuning(
            model: SearchParams.defaultModel, index: "ae_hnsw_cosine_all_minilm_l6_v2", knob: "ef_search", value: 77,
            k: 10, targetRecall: 0.95, recall: 0.97, p95Ms: 2)
        try await API.test(configure: { $0.indexTuning = tuning }) { client in
            func efSearch(_ uri: String, _ body: [String: Any]) async throws -> Int? {
                let object = try API.json(try await API.post(client, uri, token: token, body))
                let info = object["query_info"] ?? object["processing_metadata"]  // search / rank
                return ((info as? [String: Any])?["parameters"] as? [String: Any])?["ef_search"] as? Int
            }
            let tuned = try await efSearch(Self.similar, ["query_text": "golang"])
            let flagged = try await efSearch(Self.similar, ["query_text": "golang", "ef_search": 12])
            let ranked = try await efSearch(
                Self.rank, ["job_description": "Go services", "ranking_method": "semantic"])
            #expect(tuned == 77 && flagged == 12 && ranked == 77)
        }
    }

    // MARK: - Tokens

    @Test func withoutAValidTokenEveryAPIRouteIs401WithAChallenge() async throws {
        let connection = try Connection(try FixtureDatabase.connectionURL())
        let store = APITokenStore(connection: connection)
        let (token, record) = try store.create(user: "u05", name: "revoked later")
        try await API.test { client in
            let routes: [(String, HTTPRequest.Method)] = [
                (Self.similar, .post), (Self.rank, .post), ("/api/v1/artifacts/1/embeddings/", .post),
                ("/api/v1/artifacts/1/embeddings/", .get),
            ]
            for (uri, method) in routes {
                for sent in [nil, "vs_" + String(repeating: "0", count: 64), "not-even-ours"] as [String?] {
                    let response = try await client.execute(
                        uri: uri, method: method, headers: API.headers(token: sent), body: try API.body([:]))
                    #expect(response.status == .unauthorized, "\(method) \(uri) with \(sent ?? "no token")")
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                    #expect(try API.errorCode(response) == "unauthorized")
                }
            }
            let before = try await API.post(client, Self.similar, token: token, ["query_text": "golang"])
            #expect(before.status == .ok)
            try APITokenStore(connection: try Connection(try FixtureDatabase.connectionURL())).revoke(id: record.id)
            let after = try await API.post(client, Self.similar, token: token, ["query_text": "golang"])
            #expect(after.status == .unauthorized)
            #expect(after.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
        }
    }

    @Test func tokensAreListedByPrefixAndStoredOnlyAsHashes() throws {
        let connection = try Connection(try FixtureDatabase.connectionURL())
        let store = APITokenStore(connection: connection)
        let (token, record) = try store.create(user: "u06", name: "ci", admin: true)
        #expect(token.hasPrefix("vs_") && token.count == 67)
        #expect(record.user == "u06" && record.name == "ci" && record.admin && record.revokedAt == nil)
        #expect(token.hasPrefix(record.prefix) && record.prefix.count < 12)
        let listed = try #require(try store.list().first { $0.id == record.id })
        #expect(listed == record)
        let stored = try connection.query("SELECT count(*) FROM api_tokens WHERE token_hash = \(token)::bpchar")
            .scalar(Int.self)
        #expect(stored == 0)
        #expect(try store.caller(forToken: token) == APICaller(tokenID: record.id, user: "u06", admin: true))
        #expect(try store.revoke(id: record.id).revokedAt != nil)
        #expect(try store.caller(forToken: token) == nil)
        #expect(throws: VecscopeError.self) { try store.revoke(id: record.id) }
        let unknown = #expect(throws: VecscopeError.self) { try store.create(user: "nobody") }
        #expect(unknown?.kind == .notFound)
    }

    // MARK: - Isolation

    /// Adversarial knobs (iterative scans, no threshold, huge limits and ef_search, every type, every method and
    /// content type) never bring another user's artifact into a user's answer.
    @Test func noOtherUsersArtifactInAnySearchOrRank() async throws {
        let token = try API.token("u07")
        let knobs: [[String: Any]] = [
            ["iterative_scan": "relaxed_order", "ef_search": 1, "limit": 1000, "similarity_threshold": -1],
            ["iterative_scan": "strict_order", "ef_search": 1000, "limit": 1000, "similarity_threshold": -1],
            ["iterative_scan": "off", "ef_search": 1, "limit": 50, "similarity_threshold": -1],
            ["artifact_types": ArtifactType.allCases.map(\.rawValue), "limit": 1000, "similarity_threshold": -1],
            ["artifact_types": ["project"], "similarity_threshold": -1, "max_scan_tuples": 1],
            ["method": "hybrid", "limit": 1000, "similarity_threshold": -1, "content_types": ["full", "summary"]],
            ["method": "keyword", "limit": 1000, "similarity_threshold": -1],
            ["content_types": ["chunk"], "limit": 1000, "similarity_threshold": -1, "iterative_scan": "relaxed_order"],
            ["metric": "l2", "limit": 1000, "similarity_threshold": -1],
            ["metric": "ip", "limit": 1000, "similarity_threshold": -1],
        ]
        let requests = try knobs.map { extra in
            var request: [String: Any] = ["query_text": "distributed systems engineer with Go and Kubernetes"]
            request.merge(extra) { $1 }
            return (body: try API.body(request), extra: "\(extra)")
        }
        try await API.test { client in
            for (body, extra) in requests {
                let response = try await client.execute(
                    uri: Self.similar, method: .post, headers: API.headers(token: token), body: body)
                #expect(response.status == .ok, "\(extra): \(response.text)")
                let results = try #require(try API.json(response)["results"] as? [[String: Any]])
                #expect(!results.isEmpty, "\(extra)")
                #expect(results.allSatisfy { $0["user"] as? String == "u07" }, "\(extra)")
            }
            for method in RankingMethod.allCases {
                let response = try await API.post(
                    client, Self.rank, token: token,
                    ["job_description": "machine learning platform", "ranking_method": method.rawValue, "top_k": 1000])
                #expect(response.status == .ok, "\(response.text)")
                let ranked = try #require(try API.json(response)["ranked_artifacts"] as? [[String: Any]])
                #expect(ranked.allSatisfy { $0["user"] as? String == "u07" }, "\(method)")
            }
        }
    }

    @Test func anotherUsersArtifactIsNotFoundThroughEveryRoute() async throws {
        let token = try API.token("u08")
        let (mine, theirs) = try Self.artifactIDs(of: "u08", and: "u09")
        try await API.test { client in
            for id in [theirs[0], 999_999_999] {
                let list = try await client.execute(
                    uri: "/api/v1/artifacts/\(id)/embeddings/", method: .get, headers: API.headers(token: token))
                #expect(list.status == .notFound)
                #expect(try API.errorCode(list) == "not_found")
                let embed = try await API.post(
                    client, "/api/v1/artifacts/\(id)/embeddings/", token: token, ["content_type": "full"])
                #expect(embed.status == .notFound)
            }
            let rank = try await API.post(
                client, Self.rank, token: token,
                ["job_description": "data engineering", "artifact_ids": [mine[0], theirs[0], theirs[1]]])
            #expect(rank.status == .notFound)
            let message = try #require((try API.json(rank)["error"] as? [String: Any])?["message"] as? String)
            #expect(message.contains("\(theirs[0])") && message.contains("\(theirs[1])"))
            #expect(!message.contains("\(mine[0])"))
            let own = try await API.post(
                client, Self.rank, token: token,
                ["job_description": "data engineering", "artifact_ids": [mine[0], mine[1]], "top_k": 5])
            #expect(own.status == .ok)
            let ranked = try #require(try API.json(own)["ranked_artifacts"] as? [[String: Any]])
            #expect(Set(ranked.compactMap { $0["artifact_id"] as? Int }) == [mine[0], mine[1]])
        }
    }

    @Test func onlyAdminTokensSearchEveryUser() async throws {
        let user = try API.token("u10")
        let admin = try API.token("u11", admin: true)
        try await API.test { client in
            let request: [String: Any] = [
                "query_text": "software engineering", "user_only": false, "limit": 100, "similarity_threshold": -1,
            ]
            let refused = try await API.post(client, Self.similar, token: user, request)
            #expect(refused.status == .forbidden)
            #expect(try API.errorCode(refused) == "forbidden")
            let rankRefused = try await API.post(
                client, Self.rank, token: user, ["job_description": "software", "user_only": false])
            #expect(rankRefused.status == .forbidden)
            let allowed = try await API.post(client, Self.similar, token: admin, request)
            #expect(allowed.status == .ok)
            let users = Set(
                (try API.json(allowed)["results"] as? [[String: Any]] ?? []).compactMap { $0["user"] as? String })
            #expect(users.count > 1)
        }
    }

    // MARK: - Embeddings

    @Test func embeddingAnArtifactAnswers200WhenCurrentAnd201WhenItEmbedded() async throws {
        let token = try API.token("u12")
        let (mine, _) = try Self.artifactIDs(of: "u12", and: "u01")
        let uri = "/api/v1/artifacts/\(mine[0])/embeddings/"
        try await API.test(.live) { client in
            let current = try await API.post(client, uri, token: token, ["content_type": "full"])
            #expect(current.status == .ok, "\(current.text)")
            let stored = try API.json(current)
            #expect(stored["artifact_id"] as? Int == mine[0])
            #expect(stored["dimensions"] as? Int == 384)
            #expect(stored["embedding_id"] is String && stored["content_hash"] is String)
            #expect(stored["generated_at"] is String && stored["generated"] as? Bool == false)
            let forced = try await API.post(
                client, uri, token: token, ["content_type": "summary", "force_regenerate": true])
            #expect(forced.status == .created, "\(forced.text)")
            #expect(try API.json(forced)["content_type"] as? String == "summary")
            let chunks = try await API.post(client, uri, token: token, ["content_type": "chunks"])
            #expect(chunks.status == .ok, "\(chunks.text)")
            let list = try await client.execute(uri: uri, method: .get, headers: API.headers(token: token))
            #expect(list.status == .ok)
            let body = try API.json(list)
            let embeddings = try #require(body["embeddings"] as? [[String: Any]])
            let types = Set(embeddings.compactMap { $0["content_type"] as? String })
            #expect(types == ["full", "summary", "chunk"])
            #expect(
                embeddings.allSatisfy { $0["id"] is String && $0["created_at"] is String && $0["dimensions"] is Int })
        }
    }

    /// `async`: the artifact waits in the worker's queue (202 says so), and a worker then makes its vector fresh.
    /// A database of its own: following the model changes what every later write to artifacts does.
    @Test func embeddingWithAsyncQueuesTheArtifactAndAWorkerMakesItFresh() async throws {
        let (connection, url) = try TestDatabase.freshWithFixtureArtifacts(3)
        let row = try connection.query(
            "SELECT a.id, u.external_id FROM artifacts a JOIN users u ON u.id = a.user_id ORDER BY a.id LIMIT 1"
        ).row(0)
        let id: Int = try row.decode(0)
        let token = try APITokenStore(connection: connection).create(user: try row.decode(1), name: "test").token
        let model = ModelCatalog.miniLM.name
        // Its own connection: the live server's test closure is @Sendable, and a Connection is not.
        @Sendable func queued() throws -> Int {
            try Connection(url).query(
                "SELECT count(*)::int8 FROM embedding_queue WHERE artifact_id = \(id) AND model_version = \(model)"
            ).row(0).decode(0)
        }
        let uri = "/api/v1/artifacts/\(id)/embeddings/"
        try await API.test(.live, url: url) { client in
            let refused = try await API.post(client, uri, token: token, ["async": true, "force_regenerate": true])
            #expect(refused.status == .badRequest, "\(refused.text)")
            #expect(try API.errorCode(refused) == "invalid_request")
            #expect(try queued() == 0)

            let accepted = try await API.post(client, uri, token: token, ["async": true, "content_type": "full"])
            #expect(accepted.status == .accepted, "\(accepted.text)")
            let body = try API.json(accepted)
            #expect(body["artifact_id"] as? Int == id)
            #expect(body["model"] as? String == model)
            #expect(body["queued"] as? Bool == true && body["already_queued"] as? Bool == false)
            #expect(body["queue_pending"] as? Int == 1)
            #expect(try queued() == 1)
            let again = try await API.post(client, uri, token: token, ["async": true])
            #expect(again.status == .accepted)
            #expect(try API.json(again)["already_queued"] as? Bool == true)
            #expect(try queued() == 1)
            let listed = try await client.execute(uri: uri, method: .get, headers: API.headers(token: token))
            #expect((try API.json(listed)["embeddings"] as? [Any])?.isEmpty == true, "nothing embedded inline")
        }

        let registered = try EmbeddingModelRegistry(connection: connection).resolve(model)
        var options = EmbeddingWorker.Options()
        options.pollInterval = 0.2
        let worker = EmbeddingWorker(model: registered, embedder: try SharedModel.instance.embedder(), options: options)
        {
            try Connection(url)
        }
        var drained = false
        let deadline = Date().addingTimeInterval(120)
        try worker.run(shouldStop: { drained || Date() > deadline }) { event in
            if case .batch(let report) = event { drained = report.queued == 0 }
        }
        #expect(drained)
        #expect(try queued() == 0)
        let fresh: Bool = try connection.query(
            """
            SELECT e.content_hash = a.content_hash AND NOT e.stale FROM artifacts a
            JOIN artifact_embeddings e ON e.artifact_id = a.id AND e.model_version = \(model) AND e.content_type = 'full'
            WHERE a.id = \(id)
            """
        ).row(0).decode(0)
        #expect(fresh)
        try await API.test(.live, url: url) { client in
            let current = try await API.post(client, uri, token: token, ["content_type": "full"])
            #expect(current.status == .ok, "the worker's vector is current: \(current.text)")
            #expect(try API.json(current)["generated"] as? Bool == false)
        }
    }

    // MARK: - Errors

    @Test func everyValidationIsA400WithTheCommandLinesMessage() async throws {
        let token = try API.token("u01")
        let cases: [([String: Any], String)] = [
            (["query_text": "go", "limit": 0], "limit 0 is out of range"),
            (["query_text": "go", "ef_search": 5000], "ef_search 5000 is out of range"),
            (["query_text": "go", "probes": 999_999], "probes 999999 is out of range"),
            (["query_text": "go", "max_scan_tuples": 2_147_483_648], "max_scan_tuples 2147483648 is out of range"),
            (["query_text": "go", "similarity_threshold": 3], "similarity threshold 3.0 is out of range"),
            (["query_text": "go", "metric": "manhattan"], "unknown metric \"manhattan\""),
            (["query_text": "go", "artifact_types": ["hobby"]], "unknown artifact type \"hobby\""),
            (["query_text": "go", "model": "no-such-model"], "unknown model \"no-such-model\""),
            (["query_text": "   "], "the query is empty"),
            ([:], "give exactly one of query_text and query_embedding"),
            (["query_embedding": [0.5, 0.5]], "the query vector has 2 dimensions"),
            (["query_embedding": Array(repeating: 0, count: 384)], "the query vector is all zeros"),
            (["query_embedding": Array(repeating: 0.1, count: 384), "method": "keyword"], "keyword ranking needs"),
            (["query_text": 12], "field query_text has the wrong type"),
        ]
        let requests = try cases.map { (body: try API.body($0.0), request: "\($0.0)", message: $0.1) }
        try await API.test { client in
            for (body, request, message) in requests {
                let response = try await client.execute(
                    uri: Self.similar, method: .post, headers: API.headers(token: token), body: body)
                #expect(response.status == .badRequest, "\(request)")
                let error = try API.json(response)["error"] as? [String: Any]
                #expect((error?["message"] as? String)?.contains(message) == true, "\(request): \(response.text)")
            }
            let missing = try await API.post(client, Self.rank, token: token, ["top_k": 3])
            #expect(missing.status == .badRequest)
            #expect(try API.errorCode(missing) == "invalid_json")
            let broken = try await client.execute(
                uri: Self.rank, method: .post, headers: API.headers(token: token), body: ByteBuffer(string: "{nope"))
            #expect(broken.status == .badRequest)
            // A NUL in a text cannot be bound (schemathesis sent one in a job description): 400, not 500.
            let nul = try await API.post(client, Self.rank, token: token, ["job_description": "Go\u{0}developer"])
            #expect(nul.status == .badRequest, "\(nul.text)")
            #expect(try API.errorCode(nul) == "invalid_request")
            #expect(try API.json(nul)["error"].map { "\($0)" }?.contains("NUL character") == true)
        }
    }

    /// `plan` as the CLI's --plan, over real HTTP: a named index is pinned (the answer says which index ran), exact
    /// computes every distance, and a name that is not one of the model's indexes is a 400 listing the valid ones.
    @Test func planPinsAnIndexOrExactAndAnUnknownPlanIsA400ListingTheValidOnes() async throws {
        let token = try API.token("u03", admin: true)
        let (engine, _) = try FixtureDatabase.engine()
        let indexes = try engine.plannableIndexes(model: SearchParams.defaultModel)
        let hnsw = try #require(indexes.first { $0.type == .hnsw && $0.table == .artifactEmbeddings }).name
        let valid = "auto, exact, " + indexes.map(\.name).joined(separator: ", ")
        try await API.test(.live) { client in
            let body: [String: Any] = [
                "query_text": "Python machine learning projects", "user_only": false, "similarity_threshold": -1,
            ]
            let pinned = try await API.post(client, Self.similar, token: token, body.merging(["plan": hnsw]) { $1 })
            #expect(pinned.status == .ok, "\(pinned.text)")
            let pinnedInfo = try #require(try API.json(pinned)["query_info"] as? [String: Any])
            #expect(pinnedInfo["index_name"] as? String == hnsw)
            #expect((pinnedInfo["parameters"] as? [String: Any])?["plan"] as? String == hnsw, "the plan is echoed")
            let exact = try await API.post(client, Self.similar, token: token, body.merging(["plan": "exact"]) { $1 })
            #expect(exact.status == .ok, "\(exact.text)")
            let exactInfo = try #require(try API.json(exact)["query_info"] as? [String: Any])
            #expect(exactInfo["index_name"] == nil)
            #expect((exactInfo["parameters"] as? [String: Any])?["plan"] as? String == "exact")
            let ranked = try await API.post(
                client, Self.rank, token: token,
                ["job_description": "Python machine learning", "user_only": false, "plan": hnsw])
            #expect(ranked.status == .ok, "\(ranked.text)")
            for (route, bad) in [
                (Self.similar, "ae_nope"), (Self.similar, "x; DROP TABLE users"), (Self.rank, "ae_nope"),
            ] {
                var request = body.merging(["plan": bad]) { $1 }
                if route == Self.rank { request = ["job_description": "Python", "plan": bad] }
                let refused = try await API.post(client, route, token: token, request)
                #expect(refused.status == .badRequest, "\(route) \(bad): \(refused.text)")
                let error = try #require(try API.json(refused)["error"] as? [String: Any])
                #expect((error["message"] as? String)?.contains("unknown plan") == true, "\(refused.text)")
                #expect(error["fix"] as? String == "Use one of: \(valid).", "\(refused.text)")
            }
        }
    }

    @Test func bodiesThatAreNotJSONOrTooLargeAreRefused() async throws {
        let token = try API.token("u02")
        try await API.test(.live) { client in
            let plain = try await client.execute(
                uri: Self.similar, method: .post, headers: API.headers(token: token, contentType: "text/plain"),
                body: ByteBuffer(string: #"{"query_text": "go"}"#))
            #expect(plain.status == .unsupportedMediaType)
            #expect(try API.errorCode(plain) == "unsupported_media_type")
            let huge = String(repeating: "x", count: 1_100_000)
            let large = try await API.post(client, Self.rank, token: token, ["job_description": huge])
            #expect(large.status == .contentTooLarge)
            #expect(try API.errorCode(large) == "body_too_large")
        }
    }

    @Test func unknownRoutesAndIdsAreJSON404sAndOtherMethods405s() async throws {
        let token = try API.token("u03")
        try await API.test { client in
            let route = try await client.execute(
                uri: "/api/v2/nothing", method: .get, headers: API.headers(token: token))
            #expect(route.status == .notFound)
            #expect(try API.errorCode(route) == "not_found")
            let method = try await client.execute(uri: Self.rank, method: .get, headers: API.headers(token: token))
            #expect(method.status == .methodNotAllowed)
            #expect(method.headers[.allow] == "POST")
            #expect(try API.errorCode(method) == "method_not_allowed")
            let id = try await client.execute(
                uri: "/api/v1/artifacts/abc/embeddings/", method: .get, headers: API.headers(token: token))
            #expect(id.status == .notFound)
        }
    }

    @Test func aDatabaseThatIsDownIsA503WithRetryAfter() async throws {
        let port = try FreePort.pick()
        try await API.test(url: "postgresql://nobody@127.0.0.1:\(port)/none?connect_timeout=2") { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .serviceUnavailable)
            #expect(health.headers[.retryAfter] == "5")
            #expect(try API.errorCode(health) == "database_unavailable")
            let search = try await API.post(client, Self.similar, token: "vs_abc", ["query_text": "go"])
            #expect(search.status == .serviceUnavailable)
            #expect(!search.text.contains("SELECT"))
        }
    }

    @Test func metricsCountRequestsByRouteAndStatusAndSearchesByMethod() async throws {
        let token = try API.token("u04")
        try await API.test { client in
            _ = try await API.post(client, Self.similar, token: token, ["query_text": "react frontend"])
            _ = try await API.post(client, Self.similar, token: nil, ["query_text": "react frontend"])
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            let text = metrics.text
            #expect(text.contains(#"vecscope_http_requests_total{route="/api/v1/artifacts/search/similar","#))
            #expect(text.contains(#"status="200""#) && text.contains(#"status="401""#))
            #expect(text.contains("vecscope_http_request_duration_seconds_bucket"))
            #expect(text.contains(#"vecscope_search_duration_seconds_count{method="semantic"} 1"#))
        }
    }

    /// Artifact row ids of two users, for isolation tests.
    static func artifactIDs(of user: String, and other: String) throws -> (mine: [Int], theirs: [Int]) {
        let connection = try Connection(try FixtureDatabase.connectionURL())
        func ids(_ user: String) throws -> [Int] {
            try connection.query(
                """
                SELECT a.id FROM artifacts a JOIN users u ON u.id = a.user_id WHERE u.external_id = \(user) ORDER BY a.id
                """
            ).rows.map { try $0.decode(0) }
        }
        return (try ids(user), try ids(other))
    }
}
