import Foundation

/// What one `vecscope load` did.
public struct LoadSummary: Sendable, Equatable {
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var rejected: [RejectedRecord] = []
    /// Lines replaced by a later line with the same (user, id) in the same file.
    public var duplicates: [DuplicateRecord] = []
    /// Artifacts whose embedded text changed, so their embeddings were marked stale.
    public var markedStale = 0
    public var users = 0
    public var total: Int { inserted + updated + unchanged + rejected.count + duplicates.count }
}

/// Reads artifact JSONL and upserts users and artifacts by (user, id), in batches, one transaction each.
///
/// Every line is validated before anything is written (`ArtifactLoader+Parsing.swift`). A record the database still
/// refuses (a constraint, a tsvector over its size limit) is rejected with its line: its batch is rolled back and
/// written again with a savepoint per record, so the good records of that batch are kept. With `strict` the whole
/// file is one transaction and any bad line, or any refusal, leaves nothing written.
public final class ArtifactLoader {
    public static let maxRecordBytes = 1 << 20
    private let connection: Connection
    private var userIDs: [String: Int] = [:]

    public init(connection: Connection) { self.connection = connection }

    /// One valid line.
    struct ParsedLine {
        var line: Int
        var record: ArtifactRecord
    }

    /// `strict`: any bad record fails the whole load and nothing is written.
    /// `progress` gets (records processed, records in the file).
    public func load(
        file: URL, strict: Bool = false, batchSize: Int = 200,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> LoadSummary {
        try PostgresError.during("loading \(file.lastPathComponent)") {
            try loadInContext(file: file, strict: strict, batchSize: batchSize, progress: progress)
        }
    }

    private func loadInContext(
        file: URL, strict: Bool, batchSize: Int, progress: ((Int, Int) -> Void)?
    ) throws -> LoadSummary {
        let data = try Self.read(file)
        let name = file.lastPathComponent
        var summary = LoadSummary()
        var parsed: [ParsedLine] = []
        for (number, bytes) in Self.splitLines(data) {
            switch Self.parse(bytes, file: name, line: number) {
            case .success(let record?): parsed.append(ParsedLine(line: number, record: record))
            case .success(nil): continue
            case .failure(let rejected): summary.rejected.append(rejected)
            }
        }
        parsed = Self.lastOfEachKey(parsed, file: name, duplicates: &summary.duplicates)
        if strict, !summary.rejected.isEmpty { throw Self.strictFailure(summary.rejected, file: file) }
        let total = summary.total + parsed.count
        var done = total - parsed.count
        progress?(done, total)
        let size = max(1, batchSize)
        let batches = stride(from: 0, to: parsed.count, by: size).map { parsed[$0..<min($0 + size, parsed.count)] }
        if strict {
            let before = userIDs
            do {
                try connection.transaction { conn in
                    for batch in batches {
                        for item in batch {
                            do {
                                try upsert(item.record, into: &summary, connection: conn)
                            } catch {
                                guard let refusal = Self.refusal(error) else { throw error }
                                throw Self.rejection(refusal, of: item, file: name)
                            }
                        }
                        done += batch.count
                        progress?(done, total)
                    }
                }
            } catch let rejected as RejectedRecord {
                userIDs = before  // ids made in a rolled-back transaction no longer exist
                throw Self.strictFailure([rejected], file: file)
            } catch {
                userIDs = before
                throw error
            }
        } else {
            for batch in batches {
                try write(batch, file: name, into: &summary)
                done += batch.count
                progress?(done, total)
            }
        }
        // Fresh statistics at once, so the next search plans with them (autovacuum may take a minute).
        if summary.inserted + summary.updated > 0 { try connection.execute("ANALYZE users, artifacts") }
        summary.users = try connection.query("SELECT count(*) FROM users").scalar(Int.self) ?? 0
        return summary
    }

    /// The file's bytes, or an error in plain words (a directory, no such file, not readable).
    static func read(_ file: URL) throws -> Data {
        let path = file.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw VecscopeError(
                what: "cannot read \(path)", why: "no such file", fix: "Check the path; it is relative to \(cwd).")
        }
        if isDirectory.boolValue {
            throw VecscopeError(
                what: "cannot read \(path)", why: "it is a directory, not a file",
                fix: "Name a .jsonl file inside it, e.g. \(file.appendingPathComponent("artifacts.jsonl").path).")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw VecscopeError(
                what: "cannot read \(path)", why: "not readable: permission denied",
                fix: "Give this user read permission (chmod a+r), or load a copy it can read.")
        }
        do {
            return try Data(contentsOf: file)
        } catch {
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            throw VecscopeError(
                what: "cannot read \(path)", why: underlying?.localizedDescription ?? error.localizedDescription,
                fix: "Check that the file is a readable regular file.")
        }
    }

    private static var cwd: String { FileManager.default.currentDirectoryPath }

    /// Lines split on LF (a trailing CR dropped), numbered from 1; blank lines are left out.
    static func splitLines(_ data: Data) -> [(Int, [UInt8])] {
        var result: [(Int, [UInt8])] = []
        var number = 0
        for var line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            if line.last == 0x0D { line = line.dropLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            result.append((number, [UInt8](line)))
        }
        return result
    }

    /// The upsert key is (user, id): of several lines with the same key the last wins, and each earlier one is
    /// reported. Records keep the order of their winning lines.
    static func lastOfEachKey(
        _ lines: [ParsedLine], file: String, duplicates: inout [DuplicateRecord]
    ) -> [ParsedLine] {
        struct Key: Hashable {
            var user: String
            var id: String
        }
        var lastIndex: [Key: Int] = [:]
        for (index, item) in lines.enumerated() {
            let key = Key(user: item.record.userExternalID, id: item.record.externalID)
            if let earlier = lastIndex[key] {
                duplicates.append(
                    DuplicateRecord(
                        file: file, line: item.line, earlierLine: lines[earlier].line, id: key.id, user: key.user))
            }
            lastIndex[key] = index
        }
        let winners = Set(lastIndex.values)
        return lines.indices.filter { winners.contains($0) }.map { lines[$0] }
    }

    /// Writes one batch in one transaction. When the database refuses a record, the batch is rolled back and
    /// written again with a savepoint per record: only the refused records are lost, each reported with its line.
    private func write(_ batch: ArraySlice<ParsedLine>, file: String, into summary: inout LoadSummary) throws {
        let before = (userIDs, summary)
        do {
            try connection.transaction { conn in
                for item in batch { try upsert(item.record, into: &summary, connection: conn) }
            }
            return
        } catch {
            (userIDs, summary) = before  // ids made in a rolled-back transaction no longer exist
            guard Self.refusal(error) != nil else { throw error }
        }
        do {
            try connection.transaction { conn in
                for item in batch {
                    let kept = (userIDs, summary)
                    try conn.execute("SAVEPOINT vecscope_record")
                    do {
                        try upsert(item.record, into: &summary, connection: conn)
                        try conn.execute("RELEASE SAVEPOINT vecscope_record")
                    } catch {
                        guard let refusal = Self.refusal(error) else { throw error }
                        try conn.execute("ROLLBACK TO SAVEPOINT vecscope_record")
                        (userIDs, summary) = kept
                        summary.rejected.append(Self.rejection(refusal, of: item, file: file))
                    }
                }
            }
        } catch {
            (userIDs, summary) = before
            throw error
        }
    }

    /// The error, when it is the database refusing one record's values (data exceptions, constraint violations,
    /// size limits) rather than something every record would hit (a lost connection, a missing table).
    static func refusal(_ error: any Error) -> PostgresError? {
        guard let error = error as? PostgresError, error.kind == .server || error.kind == .encoding,
            let code = error.code?.rawValue, ["22", "23", "54"].contains(code.prefix(2))
        else { return nil }
        return error
    }

    static func rejection(_ refusal: PostgresError, of item: ParsedLine, file: String) -> RejectedRecord {
        var problem = "refused by the database: \(refusal.message)"
        if let code = refusal.code { problem += " (SQLSTATE \(code))" }
        if let detail = refusal.detail { problem += "; \(detail)" }
        return RejectedRecord(file: file, line: item.line, problem: problem)
    }

    static func strictFailure(_ rejected: [RejectedRecord], file: URL) -> VecscopeError {
        let shown = rejected.prefix(10).map(\.description).joined(separator: "\n")
        return VecscopeError(
            what: "\(rejected.count) bad record(s) in \(file.path); --strict loaded nothing",
            why: shown + (rejected.count > 10 ? "\n… and \(rejected.count - 10) more" : ""),
            fix: "Fix the lines named, or load without --strict to skip them.")
    }

    private func userID(for record: ArtifactRecord, connection: Connection) throws -> Int {
        if let id = userIDs[record.userExternalID], record.userName == nil { return id }
        let id = try connection.query(
            """
            INSERT INTO users (external_id, name) VALUES (\(record.userExternalID), \(record.userName))
            ON CONFLICT (external_id) DO UPDATE SET name = COALESCE(EXCLUDED.name, users.name)
            RETURNING id
            """
        ).scalar(Int.self)
        guard let id else { throw PostgresError(kind: .protocolViolation, message: "user upsert returned no id") }
        userIDs[record.userExternalID] = id
        return id
    }

    private func upsert(_ record: ArtifactRecord, into summary: inout LoadSummary, connection: Connection) throws {
        let userID = try userID(for: record, connection: connection)
        let hash = record.contentHash
        // The WHERE on DO UPDATE leaves identical rows alone: no row returned means "unchanged".
        let user = PostgresParameter(userID)
        let externalID = PostgresParameter(record.externalID)
        let updatedAt = PostgresParameter(record.updatedAt)
        let result = try connection.query(
            """
            WITH previous AS (SELECT content_hash FROM artifacts
                              WHERE user_id = \(user) AND external_id = \(externalID))
            INSERT INTO artifacts (user_id, external_id, artifact_type, title, description, content, skills,
                                   metadata, content_hash, updated_at)
            VALUES (\(user), \(externalID), \(record.type.rawValue), \(record.title), \(record.description),
                    \(record.content), \(record.skills), \(JSONB(text: record.metadataJSON)), \(hash),
                    COALESCE(\(updatedAt)::timestamptz, now()))
            ON CONFLICT (user_id, external_id) DO UPDATE SET
                artifact_type = EXCLUDED.artifact_type, title = EXCLUDED.title, description = EXCLUDED.description,
                content = EXCLUDED.content, skills = EXCLUDED.skills, metadata = EXCLUDED.metadata,
                content_hash = EXCLUDED.content_hash,
                updated_at = CASE WHEN \(updatedAt)::timestamptz IS NULL THEN now() ELSE EXCLUDED.updated_at END
            WHERE (artifacts.artifact_type, artifacts.title, artifacts.description, artifacts.content, artifacts.skills,
                   artifacts.metadata, artifacts.content_hash)
                  IS DISTINCT FROM (EXCLUDED.artifact_type, EXCLUDED.title, EXCLUDED.description, EXCLUDED.content,
                   EXCLUDED.skills, EXCLUDED.metadata, EXCLUDED.content_hash)
               OR (\(updatedAt)::timestamptz IS NOT NULL
                   AND artifacts.updated_at IS DISTINCT FROM \(updatedAt)::timestamptz)
            RETURNING id, (SELECT content_hash FROM previous)::text
            """)
        guard result.rowCount == 1 else {
            summary.unchanged += 1
            return
        }
        let row = result.row(0)
        let artifactID: Int = try row.decode(0)
        guard let previousHash: String = try row.decode(1) else {
            summary.inserted += 1
            return
        }
        summary.updated += 1
        if previousHash != hash {
            try connection.execute("UPDATE artifact_embeddings SET stale = true WHERE artifact_id = \(artifactID)")
            summary.markedStale += 1
        }
    }
}
