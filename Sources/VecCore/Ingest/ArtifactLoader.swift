import Foundation

/// A record that was not loaded, with where it was and why.
public struct RejectedRecord: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var reason: String
    public var description: String { "\(file):\(line): \(reason)" }
}

/// What one `vecscope load` did.
public struct LoadSummary: Sendable, Equatable {
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var rejected: [RejectedRecord] = []
    /// Artifacts whose embedded text changed, so their embeddings were marked stale.
    public var markedStale = 0
    public var users = 0
    public var total: Int { inserted + updated + unchanged + rejected.count }
}

/// Reads artifact JSONL and upserts users and artifacts by external id, in batches, one transaction each.
public final class ArtifactLoader {
    public static let maxRecordBytes = 1 << 20
    private let connection: Connection
    private var userIDs: [String: Int] = [:]

    public init(connection: Connection) { self.connection = connection }

    /// `strict`: any bad record fails the whole load and nothing is written.
    /// `progress` gets (records processed, records in the file).
    public func load(
        file: URL, strict: Bool = false, batchSize: Int = 200,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> LoadSummary {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw VecscopeError(
                what: "cannot read \(file.path)", why: error.localizedDescription,
                fix: "Check the path and that the file is readable.")
        }
        let lines = Self.splitLines(data)
        var summary = LoadSummary()
        var parsed: [(line: Int, record: ArtifactRecord)] = []
        for (number, bytes) in lines {
            switch Self.parse(bytes, file: file.lastPathComponent, line: number) {
            case .success(let record?): parsed.append((number, record))
            case .success(nil): continue
            case .failure(let rejected): summary.rejected.append(rejected)
            }
        }
        if strict, !summary.rejected.isEmpty {
            let shown = summary.rejected.prefix(10).map(\.description).joined(separator: "\n")
            throw VecscopeError(
                what: "\(summary.rejected.count) bad record(s) in \(file.path); --strict loaded nothing",
                why: shown + (summary.rejected.count > 10 ? "\n… and \(summary.rejected.count - 10) more" : ""),
                fix: "Fix the lines named, or load without --strict to skip them.")
        }
        let total = parsed.count + summary.rejected.count
        var done = summary.rejected.count
        progress?(done, total)
        var start = 0
        while start < parsed.count {
            let batch = parsed[start..<min(start + batchSize, parsed.count)]
            let before = userIDs
            do {
                try connection.transaction { conn in
                    for item in batch { try upsert(item.record, into: &summary, connection: conn) }
                }
            } catch {
                userIDs = before  // ids made in a rolled-back transaction no longer exist
                throw error
            }
            start += batch.count
            done += batch.count
            progress?(done, total)
        }
        // Fresh statistics at once, so the next search plans with them (autovacuum may take a minute).
        if summary.inserted + summary.updated > 0 { try connection.execute("ANALYZE users, artifacts") }
        summary.users = try connection.query("SELECT count(*) FROM users").scalar(Int.self) ?? 0
        return summary
    }

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

    private static let knownKeys: Set<String> = [
        "id", "user", "user_name", "artifact_type", "title", "description",
        "content", "skills", "updated_at",
    ]

    /// Validates one line; `.success(nil)` for a line with nothing to load.
    static func parse(_ bytes: [UInt8], file: String, line: Int) -> Result<ArtifactRecord?, RejectedRecord> {
        func reject(_ reason: String) -> Result<ArtifactRecord?, RejectedRecord> {
            .failure(RejectedRecord(file: file, line: line, reason: reason))
        }
        guard bytes.count <= maxRecordBytes else {
            return reject("record is \(bytes.count) bytes, over the 1 MB limit")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { return reject("invalid UTF-8") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            return reject(
                "invalid JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "does not parse"))"
            )
        }
        guard let fields = object as? [String: Any] else { return reject("invalid JSON: expected an object per line") }
        func string(_ key: String, required: Bool) -> Result<String?, RejectedRecord> {
            switch fields[key] {
            case nil, is NSNull:
                return required
                    ? .failure(RejectedRecord(file: file, line: line, reason: "missing \(key)")) : .success(nil)
            case let value as String:
                if required && value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    return .failure(RejectedRecord(file: file, line: line, reason: "missing \(key) (empty)"))
                }
                return .success(value)
            default:
                return .failure(RejectedRecord(file: file, line: line, reason: "\(key) must be a string"))
            }
        }
        do {
            let id = try string("id", required: true).get()!
            let user = try string("user", required: true).get()!
            let typeName = try string("artifact_type", required: true).get()!
            guard let type = ArtifactType(rawValue: typeName) else {
                let known = ArtifactType.allCases.map(\.rawValue).joined(separator: ", ")
                return reject("unknown artifact_type \"\(typeName)\" (one of: \(known))")
            }
            let title = try string("title", required: true).get()!
            let description = try string("description", required: false).get() ?? ""
            let content = try string("content", required: false).get() ?? ""
            let userName = try string("user_name", required: false).get()
            var skills: [String] = []
            if let rawSkills = fields["skills"], !(rawSkills is NSNull) {
                guard let list = rawSkills as? [Any], let names = list as? [String] else {
                    return reject("skills must be a list of strings")
                }
                skills = names
            }
            var updatedAt: Date?
            if let raw = try string("updated_at", required: false).get() {
                guard let date = Self.parseDate(raw) else {
                    return reject("updated_at \"\(raw)\" is not an ISO-8601 date")
                }
                updatedAt = date
            }
            let extra = fields.filter { !knownKeys.contains($0.key) }
            let metadata = try JSONSerialization.data(withJSONObject: extra, options: [.sortedKeys])
            return .success(
                ArtifactRecord(
                    externalID: id, userExternalID: user, userName: userName, type: type, title: title,
                    description: description, content: content, skills: skills, updatedAt: updatedAt,
                    metadataJSON: String(decoding: metadata, as: UTF8.self)))
        } catch let rejected as RejectedRecord {
            return .failure(rejected)
        } catch {
            return reject("unreadable record: \(error)")
        }
    }

    static func parseDate(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let dateOnly = ISO8601DateFormatter()
        dateOnly.formatOptions = [.withFullDate]
        return dateOnly.date(from: text)
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

extension RejectedRecord: ReportableError {
    public var report: ErrorReport {
        ErrorReport(
            what: description, why: nil,
            fix: "Fix that line: one JSON object per line with id, user, artifact_type and title, "
                + "as in Fixtures/artifacts.jsonl.")
    }
}
