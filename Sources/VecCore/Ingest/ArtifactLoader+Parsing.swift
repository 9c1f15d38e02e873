import Foundation

// One JSONL line → an `ArtifactRecord`, or a `RejectedRecord` naming the line, the field and what is wrong.
// Everything the database would refuse or silently change (PostgreSQL text cannot hold U+0000: libpq cuts the value
// there, so an id "a001\u0000-x" would overwrite a001) is refused here, before any write.

/// A record that was not loaded, with where it was and why.
public struct RejectedRecord: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    /// The field at fault; nil when the line as a whole is (not JSON, too long, refused by the database).
    public var field: String?
    public var problem: String

    public init(file: String, line: Int, field: String? = nil, problem: String) {
        self.file = file
        self.line = line
        self.field = field
        self.problem = problem
    }

    /// "field: what is wrong", or just what is wrong.
    public var reason: String { field.map { "\($0): \(problem)" } ?? problem }
    public var description: String { "\(file):\(line): \(reason)" }
}

/// A (user, id) that appears on more than one line of a file: the last line wins.
public struct DuplicateRecord: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    /// The line this one replaces.
    public var earlierLine: Int
    public var id: String
    public var user: String

    public var description: String {
        "\(file):\(line): id: \"\(id)\" of user \"\(user)\" is also on line \(earlierLine); line \(line) wins"
    }
}

extension ArtifactLoader {
    /// Longest id or user id, in UTF-8 bytes: both are btree-indexed, and a btree entry must fit in a third of a page.
    public static let maxIdentifierBytes = 256

    /// What a string field may hold.
    enum TextRule {
        /// ids and user ids: no control characters at all, at most `maxIdentifierBytes`.
        case identifier
        /// titles, names, skills: one line, no control characters.
        case singleLine
        /// descriptions and content: any text PostgreSQL can store (everything but U+0000).
        case multiLine

        func problem(in value: String) -> String? {
            if self == .identifier, value.utf8.count > ArtifactLoader.maxIdentifierBytes {
                return "is \(value.utf8.count) bytes long, over the \(ArtifactLoader.maxIdentifierBytes)-byte limit"
            }
            for (offset, scalar) in value.unicodeScalars.enumerated() {
                let control = scalar.properties.generalCategory == .control
                if scalar.value == 0 || (control && self != .multiLine) {
                    let code = String(format: "U+%04X", scalar.value)
                    let name = scalar.value == 0 ? "a NUL character (\(code))" : "a control character (\(code))"
                    return "contains \(name) at character \(offset + 1)"
                        + (scalar.value == 0 ? "; PostgreSQL text cannot store it" : "")
                }
            }
            return nil
        }
    }

    private static let knownKeys: Set<String> = [
        "id", "user", "user_name", "artifact_type", "title", "description",
        "content", "skills", "updated_at",
    ]

    /// Validates one line; `.success(nil)` for a line with nothing to load.
    static func parse(_ bytes: [UInt8], file: String, line: Int) -> Result<ArtifactRecord?, RejectedRecord> {
        func reject(_ field: String?, _ problem: String) -> RejectedRecord {
            RejectedRecord(file: file, line: line, field: field, problem: problem)
        }
        guard bytes.count <= maxRecordBytes else {
            return .failure(reject(nil, "record is \(bytes.count) bytes, over the 1 MB limit"))
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { return .failure(reject(nil, "invalid UTF-8")) }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "does not parse"
            return .failure(reject(nil, "invalid JSON (\(reason))"))
        }
        guard let fields = object as? [String: Any] else {
            return .failure(reject(nil, "invalid JSON: expected an object per line"))
        }
        func string(_ key: String, _ rule: TextRule, required: Bool = false) throws(RejectedRecord) -> String? {
            switch fields[key] {
            case nil, is NSNull:
                if required { throw reject(key, "missing") }
                return nil
            case let value as String:
                if required && value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    throw reject(key, "missing (empty)")
                }
                if let problem = rule.problem(in: value) { throw reject(key, problem) }
                return value
            default:
                throw reject(key, "must be a string")
            }
        }
        do throws(RejectedRecord) {
            let id = try string("id", .identifier, required: true) ?? ""
            let user = try string("user", .identifier, required: true) ?? ""
            let typeName = try string("artifact_type", .identifier, required: true) ?? ""
            guard let type = ArtifactType(rawValue: typeName) else {
                let known = ArtifactType.allCases.map(\.rawValue).joined(separator: ", ")
                throw reject("artifact_type", "unknown value \"\(typeName)\" (one of: \(known))")
            }
            let title = try string("title", .singleLine, required: true) ?? ""
            let description = try string("description", .multiLine) ?? ""
            let content = try string("content", .multiLine) ?? ""
            let userName = try string("user_name", .singleLine)
            var skills: [String] = []
            if let rawSkills = fields["skills"], !(rawSkills is NSNull) {
                guard let list = rawSkills as? [Any], let names = list as? [String] else {
                    throw reject("skills", "must be a list of strings")
                }
                for (index, name) in names.enumerated() {
                    if let problem = TextRule.singleLine.problem(in: name) {
                        throw reject("skills", "item \(index + 1) \(problem)")
                    }
                }
                skills = names
            }
            var updatedAt: Date?
            if let raw = try string("updated_at", .singleLine) {
                guard let date = Self.parseDate(raw) else {
                    throw reject("updated_at", "\"\(raw)\" is not an ISO-8601 date")
                }
                updatedAt = date
            }
            let extra = fields.filter { !knownKeys.contains($0.key) }
            if let (path, problem) = Self.metadataProblem(extra) { throw reject(path, problem) }
            let metadata: Data
            do {
                metadata = try JSONSerialization.data(withJSONObject: extra, options: [.sortedKeys])
            } catch {
                throw reject(nil, "unknown fields cannot be kept as metadata (\(error.localizedDescription))")
            }
            return .success(
                ArtifactRecord(
                    externalID: id, userExternalID: user, userName: userName, type: type, title: title,
                    description: description, content: content, skills: skills, updatedAt: updatedAt,
                    metadataJSON: String(decoding: metadata, as: UTF8.self)))
        } catch {
            return .failure(error)
        }
    }

    /// The first key or string among the unknown fields that jsonb cannot store (it refuses `\u0000`), with its path.
    static func metadataProblem(_ value: Any, path: String = "") -> (String, String)? {
        switch value {
        case let object as [String: Any]:
            for (key, element) in object.sorted(by: { $0.key < $1.key }) {
                let child = path.isEmpty ? key : "\(path).\(key)"
                if let problem = TextRule.multiLine.problem(in: key) { return (child, "the key " + problem) }
                if let found = metadataProblem(element, path: child) { return found }
            }
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = metadataProblem(element, path: "\(path)[\(index)]") { return found }
            }
        case let text as String:
            if let problem = TextRule.multiLine.problem(in: text) { return (path, problem) }
        default:
            break
        }
        return nil
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
}

extension RejectedRecord: ReportableError {
    public var report: ErrorReport {
        ErrorReport(
            what: description, why: nil,
            fix: "Fix that line: one JSON object per line with id, user, artifact_type and title, "
                + "as in Fixtures/artifacts.jsonl.")
    }
}
