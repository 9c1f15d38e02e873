import Foundation

/// A job description from Fixtures/jobs.jsonl.
public struct JobDescription: Sendable, Equatable, Codable {
    public var id: String
    public var title: String
    public var text: String
}

/// The shipped job descriptions, by id.
public struct JobCatalog: Sendable {
    public let jobs: [JobDescription]

    public static func load(from folder: URL) throws -> JobCatalog {
        try load(file: folder.appendingPathComponent("jobs.jsonl"))
    }

    /// A JSONL file of `{"id", "title", "text"}` lines.
    public static func load(file url: URL) throws -> JobCatalog {
        guard let data = try? Data(contentsOf: url) else {
            throw VecscopeError(
                what: "cannot read \(url.path)", fix: "Run from the vecscope checkout (Fixtures/jobs.jsonl).")
        }
        var jobs: [JobDescription] = []
        for (number, line) in ArtifactLoader.splitLines(data) {
            do {
                jobs.append(try JSONDecoder().decode(JobDescription.self, from: Data(line)))
            } catch {
                throw VecscopeError(
                    what: "\(url.lastPathComponent):\(number) is not a job",
                    why: "expected {\"id\", \"title\", \"text\"}")
            }
        }
        return JobCatalog(jobs: jobs)
    }

    public func job(id: String) throws -> JobDescription {
        if let job = jobs.first(where: { $0.id == id }) { return job }
        throw VecscopeError(
            what: "no job \"\(id)\" in jobs.jsonl", fix: "Use one of: " + jobs.map(\.id).joined(separator: ", "))
    }
}
