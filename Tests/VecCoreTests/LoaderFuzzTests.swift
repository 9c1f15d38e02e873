import Foundation
import TestSupport
import Testing

@testable import VecCore

/// Issue 15 #7: a bounded, seeded property test of the JSONL loader and of query inputs. Files mix valid lines,
/// valid lines with a NUL or a control character, flipped bytes, random bytes, huge fields and odd Unicode. The
/// property: the loader never throws on line content, every line is accounted for, and the stored artifacts are
/// exactly the ones before plus what the accepted lines say — byte for byte, nothing cut, nothing else touched.
@Suite(.serialized) struct LoaderFuzzTests {
    /// VecCore's seedable generator, so a failing round can be replayed from its seed.
    typealias Generator = SplitMix64

    /// One stored artifact, as the comparison sees it.
    struct Stored: Equatable {
        var type: String
        var title: String
        var description: String
        var content: String
        var skills: [String]
    }

    struct Key: Hashable {
        var user: String
        var id: String
    }

    static let oddText = [
        "plain", "naïve café", "漢字とかな", "emoji 🧪🚀", "e\u{301}\u{301} combining", "RTL \u{202E}txet", "\u{FEFF}bom",
        "line\u{2028}separator", "quote \" and \\ backslash", "  spaced  ", "Ω≈ç√∫", "\u{10FFFF} last scalar",
        "tab\tinside", "newline\ninside", "bell\u{07}", "nul\u{0}inside", "del\u{7F}", "c1\u{85}next",
    ]

    private func state(_ connection: Connection) throws -> [Key: Stored] {
        var result: [Key: Stored] = [:]
        for row in try connection.query(
            """
            SELECT u.external_id AS u, a.external_id AS id, a.artifact_type AS t, a.title, a.description, a.content,
                   a.skills
            FROM artifacts a JOIN users u ON u.id = a.user_id
            """
        ).rows {
            result[Key(user: try row.decode("u"), id: try row.decode("id"))] = Stored(
                type: try row.decode("t"), title: try row.decode("title"), description: try row.decode("description"),
                content: try row.decode("content"), skills: try row.decode("skills"))
        }
        return result
    }

    /// A random line and, when it was built valid, what it should store.
    private func line(_ g: inout Generator) -> [UInt8] {
        var object: [String: Any] = [
            "id": g.chance(90) ? "f\(g.int(0..<12))" : g.pick(Self.oddText),
            "user": g.chance(90) ? "u\(g.int(0..<3))" : g.pick(Self.oddText),
            "artifact_type": g.chance(95) ? g.pick(ArtifactType.allCases).rawValue : g.pick(Self.oddText),
            "title": g.pick(Self.oddText) + " \(g.int(0..<1000))",
        ]
        if g.chance(70) { object["description"] = g.pick(Self.oddText) }
        if g.chance(70) {
            object["content"] = (0..<g.int(1..<6)).map { _ in g.pick(Self.oddText) }.joined(separator: " ")
        }
        if g.chance(40) { object["skills"] = (0..<g.int(0..<4)).map { _ in g.pick(Self.oddText) } }
        if g.chance(20) { object["extra"] = ["nested": g.pick(Self.oddText), "n": g.int(0..<9)] }
        if g.chance(10) { object["user_name"] = g.pick(Self.oddText) }
        if g.chance(3) { object["content"] = String(repeating: "huge field ", count: g.pick([50_000, 110_000])) }
        if g.chance(5) { object["title"] = g.pick([NSNull(), 42, ["list"], ""] as [Any]) }
        var bytes = Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data())
        switch g.int(0..<100) {
        case 0..<8:  // random bytes (no line feed: it would split the line)
            bytes = (0..<g.int(0..<120)).map { _ in UInt8(g.int(0..<256)) }.map { $0 == 0x0A ? 0x20 : $0 }
        case 8..<16:  // one byte flipped
            if !bytes.isEmpty {
                let index = g.int(0..<bytes.count)
                bytes[index] = UInt8(g.int(0..<256))
                if bytes[index] == 0x0A { bytes[index] = 0 }
            }
        case 16..<20:  // a raw NUL byte inside the JSON text
            if !bytes.isEmpty { bytes.insert(0, at: g.int(0..<bytes.count)) }
        case 20..<24:  // lone surrogates and escaped controls spliced into the title
            let text = String(decoding: bytes, as: UTF8.self)
            let odd = g.pick([#"\ud800"#, #"\udfff\ud800"#, #"\u0000"#, #"\u001b[31m"#, #"\uffff"#])
            bytes = Array(text.replacingOccurrences(of: #""title":""#, with: #""title":""# + odd).utf8)
        default:
            break
        }
        return bytes
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func storedArtifactsChangeOnlyAsTheAcceptedLinesSay(seed: UInt64) throws {
        let connection = try TestDatabase.fresh().connection
        let directory = try TestDatabase.scratchDirectory("fuzz")
        var g = Generator(seed: seed)
        // A baseline of valid rows that most random lines do not name.
        let baseline = (0..<5).map {
            #"{"id": "base\#($0)", "user": "u\#($0 % 3)", "artifact_type": "project", "title": "Base \#($0)"}"#
        }
        let baseFile = directory.appendingPathComponent("base.jsonl")
        try baseline.joined(separator: "\n").write(to: baseFile, atomically: true, encoding: .utf8)
        #expect(try ArtifactLoader(connection: connection).load(file: baseFile).inserted == 5)

        var accepted = 0
        var rejected = 0
        for round in 0..<3 {
            let lines = (0..<40).map { _ in line(&g) }
            let file = directory.appendingPathComponent("round\(round).jsonl")
            try Data(lines.joined(separator: [0x0A])).write(to: file)
            let before = try state(connection)
            let strict = round == 2  // the last round of each seed loads with --strict
            let summary: LoadSummary
            do {
                summary = try ArtifactLoader(connection: connection).load(file: file, strict: strict, batchSize: 7)
            } catch let error as VecscopeError where strict {
                // --strict with a bad line: refused as a whole, nothing written.
                #expect(error.what.contains("--strict loaded nothing"))
                #expect(try state(connection) == before, "seed \(seed) round \(round): --strict wrote something")
                continue
            }
            let after = try state(connection)

            // Every non-blank line is accounted for once.
            let nonBlank = ArtifactLoader.splitLines(try Data(contentsOf: file)).count
            #expect(summary.total == nonBlank, "seed \(seed) round \(round)")

            // What the accepted lines say, the last line of each (user, id) winning.
            let refused = Set(summary.rejected.map(\.line) + summary.duplicates.map(\.earlierLine))
            var expected = before
            for (number, bytes) in ArtifactLoader.splitLines(try Data(contentsOf: file))
            where !refused.contains(number) {
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
                    "seed \(seed) round \(round) line \(number) was accepted but is no JSON object")
                let key = Key(user: try #require(object["user"] as? String), id: try #require(object["id"] as? String))
                expected[key] = Stored(
                    type: try #require(object["artifact_type"] as? String),
                    title: try #require(object["title"] as? String),
                    description: object["description"] as? String ?? "", content: object["content"] as? String ?? "",
                    skills: object["skills"] as? [String] ?? [])
            }
            for key in Set(expected.keys).union(after.keys) where expected[key] != after[key] {
                Issue.record(
                    "seed \(seed) round \(round): \(key) stored \(String(describing: after[key])), expected \(String(describing: expected[key]))"
                )
            }
            for rejection in summary.rejected { #expect(rejection.description.hasPrefix("round\(round).jsonl:")) }
            accepted += summary.inserted + summary.updated + summary.unchanged
            rejected += summary.rejected.count
        }
        // Not vacuous: each seed both stores and refuses lines.
        #expect(accepted > 0 && rejected > 0, "seed \(seed): \(accepted) accepted, \(rejected) rejected")
    }

    /// Random query text (NULs, controls, huge, odd Unicode) gives results or a reported error, never a crash, and
    /// writes nothing but the query-vector cache.
    @Test func randomQueryTextIsAnsweredOrRefusedAndChangesNothingStored() throws {
        let (engine, connection) = try FixtureDatabase.engine()
        let before = try state(connection)
        var g = Generator(seed: 42)
        for _ in 0..<25 {
            var text = (0..<g.int(1..<5)).map { _ in g.pick(Self.oddText) }.joined(separator: " ")
            if g.chance(10) { text = String(repeating: "x ", count: 40_000) }
            if g.chance(10) { text = #"'; DROP TABLE artifacts; -- & | ! :* <-> ("# }
            var params = SearchParams()
            params.method = g.pick(RankingMethod.allCases)
            do {
                _ = try engine.search(text: text, params: params)
            } catch {
                let report = ErrorReport(error)
                #expect(!report.what.isEmpty)
                if text.contains("\u{0}") { #expect(report.what.contains("NUL")) }
            }
        }
        #expect(try state(connection) == before)
    }
}

extension SplitMix64 {
    fileprivate mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }
    fileprivate mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }
    fileprivate mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }
}
