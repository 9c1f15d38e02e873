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
