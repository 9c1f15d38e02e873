import Foundation

/// The eight kinds of career artifact vecscope ranks.
public enum ArtifactType: String, CaseIterable, Sendable, Codable {
    case project, publication, workExperience = "work_experience", certification, education
    case openSource = "open_source", talk, award
}

/// One artifact as read from a JSONL line, before it has a database id.
public struct ArtifactRecord: Sendable, Equatable {
    public var externalID: String
    public var userExternalID: String
    public var userName: String?
    public var type: ArtifactType
    public var title: String
    public var description: String
    public var content: String
    public var skills: [String]
    public var updatedAt: Date?
    /// Unknown JSON fields, kept (as sorted-key JSON) rather than rejected.
    public var metadataJSON: String

    /// sha256 of the text the `full` embedding is made from: a change to it makes embeddings stale.
    public var contentHash: String {
        SHA256.hex(EmbeddingText.full(title: title, description: description, content: content, skills: skills))
    }
}

/// The exact texts each content type embeds; hashes are taken over these same strings.
public enum EmbeddingText {
    /// Skills follow the title, not the content: MiniLM reads only its first 256 tokens, and a long artifact's
    /// closing lines would be cut off with them.
    public static func full(title: String, description: String, content: String, skills: [String]) -> String {
        let skillsLine = skills.isEmpty ? "" : "Skills: " + skills.joined(separator: ", ")
        return [title, skillsLine, description, content].filter { !$0.isEmpty }.joined(separator: "\n\n")
    }

    public static func summary(title: String, description: String) -> String {
        [title, description].filter { !$0.isEmpty }.joined(separator: "\n\n")
    }
}
