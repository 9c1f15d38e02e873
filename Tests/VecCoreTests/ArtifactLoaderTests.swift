import Foundation
import TestSupport
import Testing

@testable import VecCore

@Suite struct ArtifactLoaderTests {
    let connection: Connection
    let directory: URL

    init() throws {
        connection = try TestDatabase.fresh().connection
        directory = try TestDatabase.scratchDirectory("loader")
    }

    private func write(_ name: String, _ lines: [String]) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func write(_ name: String, bytes: [UInt8]) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    private static func line(
        _ id: String, user: String = "u1", type: String = "project", title: String = "Search engine",
        content: String = "Built a search engine.", extra: String = ""
    ) -> String {
        #"{"id": "\#(id)", "user": "\#(user)", "user_name": "Ada", "artifact_type": "\#(type)", "title": "\#(title)", "description": "d", "content": "\#(content)", "skills": ["Go", "SQL"]\#(extra)}"#
    }

    @Test func insertsThenReportsUnchangedOnReload() throws {
        let file = try write("a.jsonl", [Self.line("a1"), Self.line("a2", user: "u2"), Self.line("a3", type: "talk")])
        let first = try ArtifactLoader(connection: connection).load(file: file)
        #expect(first.inserted == 3)
        #expect(first.users == 2)
        let second = try ArtifactLoader(connection: connection).load(file: file)
        #expect(second.unchanged == 3)
        #expect(second.inserted == 0 && second.updated == 0)
        let row = try connection.query(
            """
            SELECT a.title, a.skills, u.name, a.content_hash FROM artifacts a JOIN users u ON u.id = a.user_id
            WHERE a.external_id = 'a1'
            """
        ).row(0)
        #expect(try row.decode(0, as: String.self) == "Search engine")
        #expect(try row.decode(1, as: [String].self) == ["Go", "SQL"])
        #expect(try row.decode(2, as: String.self) == "Ada")
        #expect(
            try row.decode(3, as: String.self)
                == SHA256.hex("Search engine\n\nSkills: Go, SQL\n\nd\n\nBuilt a search engine."))
    }

    @Test func changedContentUpdatesAndMarksEmbeddingsStale() throws {
        _ = try ArtifactLoader(connection: connection).load(
            file: try write("v1.jsonl", [Self.line("a1"), Self.line("a2")]))
        try connection.execute(
            "INSERT INTO embedding_models (name, provider, dimensions, storage) VALUES ('tiny', 'synthetic', 3, 'vector')"
        )
        try connection.execute(
            """
            INSERT INTO artifact_embeddings (artifact_id, content_type, model_version, model_dimensions, embedding_vector, content_hash)
            SELECT id, 'full', 'tiny', 3, '[1,2,3]', content_hash FROM artifacts
            """)
        let v2 = try write("v2.jsonl", [Self.line("a1", content: "Built a faster search engine."), Self.line("a2")])
        let summary = try ArtifactLoader(connection: connection).load(file: v2)
        #expect(summary.updated == 1)
        #expect(summary.unchanged == 1)
        #expect(summary.markedStale == 1)
        let stale = try connection.query(
            """
            SELECT a.external_id FROM artifact_embeddings e JOIN artifacts a ON a.id = e.artifact_id WHERE e.stale
            """
        ).rows.map { try $0.decode(0, as: String.self) }
        #expect(stale == ["a1"])
        // Skills are part of the embedded text (after the title), so changing them makes the embeddings stale too.
        let v3 = try write(
            "v3.jsonl",
            [
                Self.line("a1", content: "Built a faster search engine."),
                Self.line("a2").replacingOccurrences(of: #"["Go", "SQL"]"#, with: #"["Go"]"#),
            ])
        let third = try ArtifactLoader(connection: connection).load(file: v3)
        #expect(third.updated == 1 && third.markedStale == 1 && third.unchanged == 1)
    }

    @Test func everyKindOfBadRecordIsReportedWithItsLineAndSkipped() throws {
        var bytes = Array((Self.line("good1") + "\n").utf8)
        bytes += Array("{not json\n".utf8)  // line 2
        bytes +=
            Array(#"{"id": "x2", "user": "u1", "artifact_type": "project", "description": "no title"}"#.utf8) + [10]  // 3
        bytes += Array(Self.line("x3", type: "hobby").utf8) + [10]  // 4
        bytes +=
            Array(#"{"id": "x4", "user": "u1", "artifact_type": "project", "title": "bad "#.utf8) + [0xC3, 0x28]
            + Array(#""}"#.utf8) + [10]  // 5
        bytes += Array(Self.line("x5", content: String(repeating: "x", count: 1_100_000)).utf8) + [10]  // 6
        bytes += Array(Self.line("good2", extra: #", "source": "cv-import", "years": 3"#).utf8) + [10]  // 7
        bytes += Array("[1, 2]\n".utf8)  // 8
        bytes +=
            Array(#"{"id": "x6", "user": "u1", "artifact_type": "award", "title": "t", "skills": "Go"}"#.utf8) + [10]  // 9
        let file = try write("bad.jsonl", bytes: bytes)
        let summary = try ArtifactLoader(connection: connection).load(file: file)
        #expect(summary.inserted == 2)
        let byLine = Dictionary(uniqueKeysWithValues: summary.rejected.map { ($0.line, $0.reason) })
        #expect(byLine[2]?.hasPrefix("invalid JSON") == true)
        #expect(byLine[3] == "missing title")
        #expect(byLine[4]?.hasPrefix("unknown artifact_type \"hobby\"") == true)
        #expect(byLine[5] == "invalid UTF-8")
        #expect(byLine[6]?.contains("over the 1 MB limit") == true)
        #expect(byLine[8] == "invalid JSON: expected an object per line")
        #expect(byLine[9] == "skills must be a list of strings")
        #expect(summary.rejected.count == 7)
        #expect(summary.rejected.allSatisfy { $0.file == "bad.jsonl" })
        #expect(summary.rejected.first.map { "\($0)" }?.hasPrefix("bad.jsonl:2: ") == true)
        // Unknown fields are kept as metadata.
        let metadata = try connection.query("SELECT metadata::text FROM artifacts WHERE external_id = 'good2'").scalar(
            String.self)
        #expect(metadata == #"{"years": 3, "source": "cv-import"}"#)  // jsonb's own key order
    }

    @Test func strictModeWritesNothingWhenAnyRecordIsBad() throws {
        let file = try write("strict.jsonl", [Self.line("s1"), "{oops", Self.line("s2")])
        let error = #expect(throws: VecscopeError.self) {
            try ArtifactLoader(connection: connection).load(file: file, strict: true)
        }
        #expect(error?.what.contains("1 bad record") == true)
        #expect(error?.why?.contains("strict.jsonl:2:") == true)
        #expect(try connection.query("SELECT count(*) FROM artifacts").scalar(Int.self) == 0)
    }

    @Test func loadsInSeveralBatchesAndReportsProgress() throws {
        let lines = (0..<45).map { Self.line(String(format: "b%03d", $0), user: "u\($0 % 4)") }
        let file = try write("batches.jsonl", lines)
        var reports: [(Int, Int)] = []
        let summary = try ArtifactLoader(connection: connection).load(file: file, batchSize: 10) {
            reports.append(($0, $1))
        }
        #expect(summary.inserted == 45)
        #expect(reports.last.map { $0.0 == 45 && $0.1 == 45 } == true)
        #expect(reports.count == 6)  // the start, then one per batch of 10
    }

    @Test func missingFileSaysSo() {
        let error = #expect(throws: VecscopeError.self) {
            try ArtifactLoader(connection: connection).load(file: URL(fileURLWithPath: "/nonexistent/x.jsonl"))
        }
        #expect(error?.what == "cannot read /nonexistent/x.jsonl")
    }
}
