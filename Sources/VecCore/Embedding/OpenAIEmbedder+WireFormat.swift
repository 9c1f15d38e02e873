import Foundation

// The JSON of `POST /v1/embeddings`: the request body, the response and its checks, and servers' error bodies.

extension OpenAIEmbedder {
    func requestBody(_ texts: [String], base64: Bool) throws -> [UInt8] {
        let request = EmbeddingsRequest(
            model: configuration.model, input: texts, encoding_format: base64 ? "base64" : "float",
            dimensions: configuration.sendsDimensions ? configuration.dimensions : nil)
        return Array(try JSONEncoder().encode(request))
    }

    // MARK: Response checks

    func decode(
        _ http: CurlEasy.Response, count: Int, at position: BatchPosition,
        attempts: Int
    ) throws -> (vectors: [[Float]], tokens: Int) {
        let body = http.body
        func invalid(_ why: String) -> EmbeddingProviderError {
            EmbeddingProviderError(
                kind: .invalidResponse, what: "\(displayBase) sent an unusable response for \(position.text)",
                why: why, fix: "Check that OPENAI_BASE_URL points at an OpenAI-compatible embeddings server.",
                status: http.status, inputs: position.inputs, attempts: attempts)
        }
        let response: EmbeddingsResponse
        do {
            response = try JSONDecoder().decode(EmbeddingsResponse.self, from: Data(body))
        } catch {
            throw invalid(
                "the body is not the expected JSON (\(Self.describe(error)); \(body.count) bytes: \(redacted(Self.snippet(body))))"
            )
        }
        guard let data = response.data else {
            if let message = response.error?.message { throw invalid("it carries an error: \(redacted(message))") }
            throw invalid("it has no `data` array")
        }
        guard data.count == count else {
            throw invalid("it has \(data.count) embeddings for \(count) inputs")
        }
        var vectors = [[Float]?](repeating: nil, count: count)
        for (offset, item) in data.enumerated() {
            let index = item.index ?? offset
            guard (0..<count).contains(index), vectors[index] == nil else {
                throw invalid(
                    "embedding index \(index) is out of range or repeated (expected each of 0–\(count - 1) once)")
            }
            let input = position.inputs.lowerBound + index
            let vector: [Float]
            switch item.embedding {
            case .base64(let text):
                guard let decoded = Self.decodeBase64Floats(text) else {
                    throw invalid("the embedding for input \(input) is not valid base64 float32 data")
                }
                vector = decoded
            case .floats(let values):
                vector = values.map { Float($0) }
            }
            guard vector.count == configuration.dimensions else {
                throw invalid(
                    "the embedding for input \(input) has \(vector.count) dimensions, expected \(configuration.dimensions)"
                        + (configuration.sendsDimensions
                            ? "" : " (declare the model as openai:\(configuration.model):\(vector.count)?)"))
            }
            if let problem = VectorCheck.problem(vector, dimensions: configuration.dimensions) {
                throw invalid("the embedding for input \(input) \(problem)")
            }
            vectors[index] = vector
        }
        return (vectors.compactMap { $0 }, max(0, response.usage?.total_tokens ?? 0))
    }

    /// Little-endian float32s, as `encoding_format: base64` returns them.
    static func decodeBase64Floats(_ text: String) -> [Float]? {
        guard let data = Data(base64Encoded: text), data.count % 4 == 0 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
    }

    static func rejectsBase64(_ server: ServerError) -> Bool {
        let text = [server.message, server.param, server.code].compactMap { $0 }.joined(separator: " ").lowercased()
        return text.contains("encoding_format") || text.contains("base64")
    }

    func serverError(in body: [UInt8]) -> ServerError {
        if let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: Data(body)) {
            if let error = envelope.error { return error }
            if let detail = envelope.detail { return ServerError(message: detail) }
            if let message = envelope.message { return ServerError(message: message) }
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return ServerError(message: text.isEmpty ? nil : text)
    }

    private static func snippet(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(120), as: UTF8.self)
        return body.count > 120 ? "\"\(text)…\"" : "\"\(text)\""
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .dataCorrupted(let context)?:
            return context.codingPath.isEmpty ? "not valid JSON" : "bad value at \(path(context.codingPath))"
        case .keyNotFound(let key, let context)?:
            return "missing `\(key.stringValue)` at \(path(context.codingPath))"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            return "unexpected type at \(path(context.codingPath))"
        default:
            return "not valid JSON"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}

extension OpenAIEmbedder {
    struct EmbeddingsRequest: Encodable {
        var model: String
        var input: [String]
        var encoding_format: String
        var dimensions: Int?
    }

    struct EmbeddingsResponse: Decodable {
        struct Item: Decodable {
            var index: Int?
            var embedding: Payload
        }

        enum Payload: Decodable {
            case base64(String)
            case floats([Double])

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) {
                    self = .base64(text)
                } else {
                    self = .floats(try container.decode([Double].self))
                }
            }
        }

        struct Usage: Decodable {
            var total_tokens: Int?
        }

        var data: [Item]?
        var usage: Usage?
        var error: ServerError?
    }

    /// `{"error": {"message", "type", "param", "code"}}` (OpenAI), `{"detail": …}` or `{"message": …}` (others).
    struct ErrorEnvelope: Decodable {
        var error: ServerError?
        var detail: String?
        var message: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            if let text = try? container.decode(String.self, forKey: .error) {
                error = ServerError(message: text)
            } else {
                error = try? container.decode(ServerError.self, forKey: .error)
            }
            detail = try? container.decode(String.self, forKey: .detail)
            message = try? container.decode(String.self, forKey: .message)
        }

        enum Keys: String, CodingKey { case error, detail, message }
    }

    struct ServerError: Decodable {
        var message: String?
        var type: String?
        var param: String?
        var code: String?

        init(message: String?) { self.message = message }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            message = try? container.decode(String.self, forKey: .message)
            type = try? container.decode(String.self, forKey: .type)
            param = try? container.decode(String.self, forKey: .param)
            code =
                (try? container.decode(String.self, forKey: .code))
                ?? (try? container.decode(Int.self, forKey: .code)).map(String.init)
        }

        enum Keys: String, CodingKey { case message, type, param, code }
    }
}
