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
            INSERT INTO artifact_embeddings (artifact_id, user_id, content_type, model_version, model_dimensions,
                                             embedding_vector, content_hash)
            SELECT id, user_id, 'full', 'tiny', 3, '[1,2,3]', content_hash FROM artifacts
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
        #expect(byLine[3] == "title: missing")
        #expect(byLine[4]?.hasPrefix("artifact_type: unknown value \"hobby\"") == true)
        #expect(byLine[5] == "invalid UTF-8")
        #expect(byLine[6]?.contains("over the 1 MB limit") == true)
        #expect(byLine[8] == "invalid JSON: expected an object per line")
        #expect(byLine[9] == "skills: must be a list of strings")
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

    @Test func missingFileOrDirectorySaysSoInPlainWords() {
        let missing = #expect(throws: VecscopeError.self) {
            try ArtifactLoader(connection: connection).load(file: URL(fileURLWithPath: "/nonexistent/x.jsonl"))
        }
        #expect(missing?.what == "cannot read /nonexistent/x.jsonl")
        #expect(missing?.why == "no such file")
        // Issue 15 #5: a directory gave "NSCocoaErrorDomain error 256".
        let folder = #expect(throws: VecscopeError.self) {
            try ArtifactLoader(connection: connection).load(file: directory)
        }
        #expect(folder?.why == "it is a directory, not a file")
        #expect(folder.map { "\($0)" }?.contains("NSCocoaErrorDomain") == false)
    }

    private func title(of id: String, user: String = "u1") throws -> String? {
        try connection.query(
            """
            SELECT a.title FROM artifacts a JOIN users u ON u.id = a.user_id
            WHERE a.external_id = \(id) AND u.external_id = \(user)
            """
        ).scalar(String.self)
    }

    /// Issue 15 #1: libpq cut the id at the NUL, so "a001\u0000-other" overwrote a001.
    @Test func aNulInAnIdIsRejectedAndOverwritesNothing() throws {
        _ = try ArtifactLoader(connection: connection).load(file: try write("base.jsonl", [Self.line("a001")]))
        let file = try write(
            "nul-id.jsonl", [Self.line(#"a001\u0000-other"#, title: "OVERWRITTEN"), Self.line("a002")])
        let summary = try ArtifactLoader(connection: connection).load(file: file)
        #expect(summary.updated == 0 && summary.inserted == 1)
        #expect(
            summary.rejected.map(\.description) == [
                "nul-id.jsonl:1: id: contains a NUL character (U+0000) at character 5; PostgreSQL text cannot store it"
            ])
        #expect(try title(of: "a001") == "Search engine")
    }

    /// Issue 15 #2 and #3: a NUL in content was stored cut short; in a title or user id it passed validation and
    /// stopped the load at a database CHECK. Each is now a line with its field, and the other lines load.
    @Test func nulAndControlCharactersAreReportedByFieldBeforeAnyWrite() throws {
        let file = try write(
            "fields.jsonl",
            [
                Self.line("c1", content: #"before\u0000after"#),
                Self.line("c2", title: #"\u0000"#),
                Self.line("c3", user: #"u\u0000"#),
                Self.line("c4", title: #"two\nlines"#),
                Self.line("c5", extra: #", "source": {"tags": ["ok", "bad\u0000"]}"#),
                Self.line(String(repeating: "i", count: 300)),
                Self.line("c6", content: #"tabs\tand\nnewlines are fine"#),
            ])
        let summary = try ArtifactLoader(connection: connection).load(file: file)
        #expect(
            summary.rejected.map(\.description) == [
                "fields.jsonl:1: content: contains a NUL character (U+0000) at character 7; PostgreSQL text cannot store it",
                "fields.jsonl:2: title: contains a NUL character (U+0000) at character 1; PostgreSQL text cannot store it",
                "fields.jsonl:3: user: contains a NUL character (U+0000) at character 2; PostgreSQL text cannot store it",
                "fields.jsonl:4: title: contains a control character (U+000A) at character 4",
                "fields.jsonl:5: source.tags[1]: contains a NUL character (U+0000) at character 4; PostgreSQL text cannot store it",
                "fields.jsonl:6: id: is 300 bytes long, over the 256-byte limit",
            ])
        #expect(summary.inserted == 1)
        #expect(try connection.query("SELECT count(*) FROM artifacts").scalar(Int.self) == 1)
    }

    /// Issue 15 #3: a record the database refuses stopped the load with the raw error and lost the good lines of
    /// its batch and of every batch after it.
    @Test func aRecordTheDatabaseRefusesIsSkippedWithItsLineAndTheRestOfItsBatchIsKept() throws {
        try connection.execute("ALTER TABLE artifacts ADD CONSTRAINT no_forbidden CHECK (title <> 'FORBIDDEN')")
        let lines = (1...7).map { Self.line("r\($0)", title: $0 == 3 ? "FORBIDDEN" : "Title \($0)") }
        let summary = try ArtifactLoader(connection: connection).load(
            file: try write("refused.jsonl", lines), batchSize: 5)
        #expect(summary.inserted == 6)
        try #require(summary.rejected.count == 1)
        #expect(summary.rejected[0].line == 3)
        #expect(summary.rejected[0].reason.hasPrefix("refused by the database: new row for relation \"artifacts\""))
        #expect(summary.rejected[0].reason.contains("SQLSTATE 23514"))
        let ids = try connection.query("SELECT external_id FROM artifacts ORDER BY external_id").rows.map {
            try $0.decode(0, as: String.self)
        }
        #expect(ids == ["r1", "r2", "r4", "r5", "r6", "r7"])
    }

    /// Issue 15 #3: with --strict a refusal in the second batch left the first batch's 200 rows committed.
    @Test func strictWritesNothingWhenTheDatabaseRefusesAnyRecord() throws {
        try connection.execute("ALTER TABLE artifacts ADD CONSTRAINT no_forbidden CHECK (title <> 'FORBIDDEN')")
        let lines = (1...250).map { Self.line("s\($0)", title: $0 == 230 ? "FORBIDDEN" : "Title \($0)") }
        let file = try write("strict-db.jsonl", lines)
        let error = #expect(throws: VecscopeError.self) {
            try ArtifactLoader(connection: connection).load(file: file, strict: true)
        }
        #expect(error?.what.contains("--strict loaded nothing") == true)
        #expect(error?.why?.hasPrefix("strict-db.jsonl:230: refused by the database") == true)
        #expect(try connection.query("SELECT count(*) FROM artifacts").scalar(Int.self) == 0)
        #expect(try connection.query("SELECT count(*) FROM users").scalar(Int.self) == 0)
        // The same loader, without the bad line, loads everything: its user-id cache did not keep rolled-back ids.
        let good = try write("strict-good.jsonl", lines.enumerated().filter { $0.offset != 229 }.map(\.element))
        #expect(try ArtifactLoader(connection: connection).load(file: good, strict: true).inserted == 249)
    }

    /// Issue 15 #4: duplicates were silent (last wins) and counted twice as "with stale embeddings".
    @Test func duplicatesInOneFileAreReportedWithBothLinesAndTheLastWins() throws {
        _ = try ArtifactLoader(connection: connection).load(file: try write("d0.jsonl", [Self.line("d1")]))
        try connection.execute(
            "INSERT INTO embedding_models (name, provider, dimensions, storage) VALUES ('tiny', 'synthetic', 3, 'vector')"
        )
        try connection.execute(
            """
            INSERT INTO artifact_embeddings (artifact_id, user_id, content_type, model_version, model_dimensions,
                                             embedding_vector, content_hash)
            SELECT id, user_id, 'full', 'tiny', 3, '[1,2,3]', content_hash FROM artifacts
            """)
        let file = try write(
            "dup.jsonl",
            [
                Self.line("d1", content: "first change"), Self.line("d1", user: "u2", title: "Other user's d1"),
                Self.line("d1", content: "second change"),
            ])
        let summary = try ArtifactLoader(connection: connection).load(file: file)
        #expect(
            summary.duplicates.map(\.description) == [
                #"dup.jsonl:3: id: "d1" of user "u1" is also on line 1; line 3 wins"#
            ])
        #expect(summary.updated == 1 && summary.inserted == 1 && summary.markedStale == 1)
        #expect(summary.total == 3)
        let content = try connection.query(
            "SELECT content FROM artifacts a JOIN users u ON u.id = a.user_id WHERE u.external_id = 'u1'"
        ).scalar(String.self)
        #expect(content == "second change")
        #expect(try title(of: "d1", user: "u2") == "Other user's d1")
    }
}
