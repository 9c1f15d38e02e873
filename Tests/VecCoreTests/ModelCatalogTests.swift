import Foundation
import TestSupport
import Testing

@testable import VecCore

/// The built-in models are defined once (`ModelCatalog`); the registry seed and the OpenAI client agree with it.
@Suite struct ModelCatalogTests {
    @Test func aFreshDatabaseIsSeededWithTheCatalog() throws {
        let (connection, _) = try TestDatabase.fresh()
        let registered = try EmbeddingModelRegistry(connection: connection).all()
        #expect(registered == ModelCatalog.all.map(\.model).sorted { $0.name < $1.name })
    }

    @Test func migratingAgainRestoresAndRepricesBuiltInModelsButKeepsTheirSize() throws {
        let (connection, _) = try TestDatabase.fresh()
        try connection.execute("DELETE FROM embedding_models WHERE name = \(ModelCatalog.textEmbeddingAda002.name)")
        try connection.execute(
            "UPDATE embedding_models SET cost_per_mtok = 9 WHERE name = \(ModelCatalog.textEmbedding3Small.name)")
        try connection.execute(
            "UPDATE embedding_models SET dimensions = 512, cost_per_mtok = 9 WHERE name = \(ModelCatalog.textEmbedding3Large.name)"
        )
        #expect(try Migrator(connection: connection).migrate().isEmpty)
        let registry = EmbeddingModelRegistry(connection: connection)
        for builtIn in [ModelCatalog.textEmbeddingAda002, ModelCatalog.textEmbedding3Small] {
            #expect(try registry.model(named: builtIn.name) == builtIn.model)
        }
        let resized = try registry.model(named: ModelCatalog.textEmbedding3Large.name)
        #expect(resized.dimensions == 512 && resized.costPerMTok == 9)
    }

    @Test func theOpenAIClientKnowsTheCatalogsOpenAIModels() throws {
        #expect(
            ModelCatalog.openAI.map(\.name) == [
                "text-embedding-3-small", "text-embedding-3-large",
                "text-embedding-ada-002",
            ])
        for builtIn in ModelCatalog.openAI {
            let configuration = try OpenAIEmbedder.configuration(
                forModel: builtIn.name,
                environment: ["OPENAI_API_KEY": "k"])
            #expect(configuration.model == builtIn.name)
            #expect(configuration.registryName == builtIn.name)
            #expect(configuration.dimensions == builtIn.model.dimensions)
            #expect(configuration.maxInputTokens == builtIn.model.maxInputTokens)
            #expect(configuration.costPerMillionTokens == builtIn.model.costPerMTok)
            #expect(configuration.sendsDimensions == builtIn.acceptsDimensions)
            #expect(OpenAIEmbedder.recognises(builtIn.name))
        }
        #expect(!OpenAIEmbedder.recognises(ModelCatalog.miniLM.name))
        #expect(SearchParams.defaultModel == ModelCatalog.miniLM.name)
    }

    // MARK: ModelSpec

    @Test func aCompatibleServerSpecNamesItsModelAndSize() throws {
        let spec = ModelSpec("openai:nomic-embed-text:768")
        #expect(spec.form == .openAICompatible(model: "nomic-embed-text", dimensions: 768))
        let choice = try spec.openAIModel()
        #expect(choice.serverModel == "nomic-embed-text")
        #expect(
            choice.model
                == EmbeddingModel(
                    name: "openai:nomic-embed-text:768", provider: .openai, dimensions: 768,
                    storage: .vector, costPerMTok: 0, maxInputTokens: 2048))
        #expect(choice.builtIn == nil && !choice.sendsDimensions)
    }

    @Test func onlyANumericLastPartIsTheSize() throws {
        let tagged = ModelSpec("openai:llama3:8b:4096")
        #expect(tagged.form == .openAICompatible(model: "llama3:8b", dimensions: 4096))
        let choice = try tagged.openAIModel()
        #expect(choice.serverModel == "llama3:8b")
        #expect(choice.model.name == "openai:llama3:8b:4096" && choice.model.storage == .halfvec)
        #expect(ModelSpec("openai:llama3:8b").form == .openAICompatible(model: "llama3:8b", dimensions: nil))
        #expect(ModelSpec(" all-MiniLM-L6-v2 ").form == .named("all-MiniLM-L6-v2"))
    }

    @Test func aBuiltInModelAtItsOwnSizeIsTheBuiltInRow() throws {
        for text in ["openai:text-embedding-3-small:1536", "openai:text-embedding-3-small", "text-embedding-3-small"] {
            let choice = try ModelSpec(text).openAIModel()
            #expect(choice.model == ModelCatalog.textEmbedding3Small.model, "\(text)")
            #expect(choice.sendsDimensions)
        }
        let shortened = try ModelSpec("openai:text-embedding-3-large:1024").openAIModel()
        #expect(shortened.model.name == "openai:text-embedding-3-large:1024")
        #expect(shortened.model.storage == .vector && shortened.model.costPerMTok == 0.13)
        #expect(try ModelSpec(ModelCatalog.miniLM.name).catalogModel() == ModelCatalog.miniLM.model)
        #expect(try ModelSpec("synthetic-64").catalogModel() == nil)
    }

    @Test(arguments: [
        ("openai:", "the model name is missing"), ("openai::768", "the model name is missing"),
        ("openai:nomic-embed-text", "the number of dimensions is missing"),
        ("openai:x:0", "0 dimensions is outside 1–16000"), ("openai:x:16001", "16001 dimensions is outside 1–16000"),
        ("openai:text-embedding-3-small:4096", "text-embedding-3-small returns at most 1536 dimensions"),
        ("openai:text-embedding-ada-002:512", "text-embedding-ada-002 always returns 1536 dimensions"),
        ("gpt-4o", "it is not an OpenAI embedding model vecscope knows"),
    ])
    func malformedSpecsSayWhy(text: String, why: String) {
        let error = #expect(throws: VecscopeError.self) { try ModelSpec(text).openAIModel() }
        #expect(error?.what == "unknown OpenAI embedding model \"\(text)\"")
        #expect(error?.why == why)
        #expect(error?.fix?.contains("openai:<model>:<dimensions>") == true)
    }

    @Test func theRegistryResolvesABuiltInModelAtItsOwnSizeToItsRow() throws {
        let (connection, _) = try TestDatabase.fresh()
        let registry = EmbeddingModelRegistry(connection: connection)
        #expect(try registry.resolve("openai:text-embedding-3-small:1536") == ModelCatalog.textEmbedding3Small.model)
        #expect(try registry.resolve("openai:llama3:8b:4096").name == "openai:llama3:8b:4096")
        #expect(try registry.all().count == ModelCatalog.all.count + 1)
    }
}
