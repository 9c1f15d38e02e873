/// A fixture job the job picker offers (from Fixtures/jobs.jsonl; the TUI command passes the catalog in).
public struct JobEntry: Equatable, Sendable {
    public var id: String
    public var title: String
    public var text: String

    public init(id: String, title: String, text: String) {
        self.id = id
        self.title = title
        self.text = text
    }
}

/// The job picker's selection and first visible row.
public struct ListSelection: Equatable, Sendable {
    public var selected: Int = 0
    public var scroll: Int = 0
    public init() {}
}

extension AppState {
    /// The jobs the picker lists: those whose id or title contain every word typed (case-insensitive).
    public var filteredJobs: [JobEntry] {
        let words = jobFilter.lowercased().split(separator: " ")
        guard !words.isEmpty else { return jobs }
        return jobs.filter { job in
            let haystack = (job.id + " " + job.title).lowercased()
            return words.allSatisfy { haystack.contains($0) }
        }
    }

    /// True when the query was loaded from a fixture job and its text has since been edited: its stored grades
    /// belong to the job's own text, so they no longer apply.
    public var loadedJobIsEdited: Bool {
        guard let job = loadedJob else { return false }
        return editor.trimmedText != job.text.trimmingWhitespace()
    }

    /// Indexes of side A's results the results pane lists: all, or with "ungraded only" those without a grade
    /// plus the selected one (so the row just graded stays until the selection moves on).
    public var shownResultIndices: [Int] {
        let results = sideA.results
        guard ungradedOnly else { return Array(results.items.indices) }
        return results.items.indices.filter { grades[results.items[$0].artifactID] == nil || $0 == results.selected }
    }

    /// How many of side A's results carry a grade for the query they answer (nil until its grades are loaded).
    public var gradedResultCount: Int? {
        let results = sideA.results
        guard results.response != nil, gradesQuery == results.queryText else { return nil }
        return results.items.filter { grades[$0.artifactID] != nil }.count
    }
}
