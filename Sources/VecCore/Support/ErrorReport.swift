import Foundation

/// Any error as every face shows it: what happened, why, what to do, and for a database error the server's
/// SQLSTATE, detail and hint. The CLI prints it on several lines, the TUI on one, the HTTP API as JSON; each
/// error type says once how it maps here (`ReportableError`), so no face formats errors of its own.
public struct ErrorReport: Sendable, Equatable, Codable {
    public var what: String
    public var why: String?
    public var fix: String?
    /// PostgreSQL's SQLSTATE, for a database error.
    public var sqlState: String?
    /// PostgreSQL's DETAIL and HINT fields, for a database error.
    public var detail: String?
    public var hint: String?

    public init(
        what: String, why: String? = nil, fix: String? = nil, sqlState: String? = nil, detail: String? = nil,
        hint: String? = nil
    ) {
        self.what = what
        self.why = why.nonEmpty
        self.fix = fix.nonEmpty
        self.sqlState = sqlState.nonEmpty
        self.detail = detail.nonEmpty
        self.hint = hint.nonEmpty
    }

    /// The report of any error: its own mapping when it has one, else its description (first line as what, the
    /// rest as why).
    public init(_ error: any Error) {
        if let reportable = error as? any ReportableError {
            self = reportable.report
            return
        }
        let text = String(describing: error)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        self.init(what: lines.first ?? text, why: lines.count > 1 ? lines.dropFirst().joined(separator: " ") : nil)
    }

    /// One line for a status bar: "what: why — fix (SQLSTATE x; detail; hint)".
    public var oneLine: String {
        var text = what
        if let why { text += ": " + why }
        var facts: [String] = []
        if let sqlState { facts.append("SQLSTATE \(sqlState)") }
        if let detail { facts.append(Self.flattened(detail)) }
        if let hint { facts.append("hint: " + Self.flattened(hint)) }
        if !facts.isEmpty { text += " (" + facts.joined(separator: "; ") + ")" }
        if let fix { text += " — " + fix }
        return Self.flattened(text)
    }

    /// Several lines for a terminal or a log: what (and why) first, then the server's facts, then the fix.
    public var lines: [String] {
        var result = [why.map { "\(what): \($0)" } ?? what]
        if let sqlState { result.append("SQLSTATE: \(sqlState)") }
        if let detail { result.append("Detail: \(detail)") }
        if let hint { result.append("Hint: \(hint)") }
        if let fix { result.append("→ \(fix)") }
        return result
    }

    private static func flattened(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}

/// An error that knows how it is reported (what / why / fix, plus the server's facts).
public protocol ReportableError: Error {
    var report: ErrorReport { get }
}

extension VecscopeError: ReportableError {
    public var report: ErrorReport { ErrorReport(what: what, why: why, fix: fix) }
}

extension PostgresError: ReportableError {
    public var report: ErrorReport {
        ErrorReport(
            what: context.map { "\($0): \(message)" } ?? message, why: kind == .server ? nil : "\(kind.rawValue) error",
            fix: fix, sqlState: code?.rawValue, detail: detail, hint: hint)
    }

    /// What to do, for the failures whose cause the SQLSTATE tells; the hint (the server's, or for connection
    /// failures vecscope's own) covers the rest.
    private var fix: String? {
        switch code {
        case Code.insufficientPrivilege?:
            return "Connect as a role with access to the object named above, or grant that role access."
        case Code.queryCanceled? where message.contains("statement timeout"):
            return "The server's statement_timeout stopped it: raise it (SET statement_timeout, or ALTER ROLE … SET "
                + "statement_timeout = '60s'), or make the work cheaper: a lower --ef-search or --limit, a --user or "
                + "--types filter, or a vector index (vecscope index create)."
        case Code.queryCanceled?:
            return "The statement was cancelled (a cancel request or statement_timeout); raise the timeout or "
                + "narrow the query."
        case Code.lockNotAvailable?:
            return "Another session holds a lock on that table (an index build or a migration?): wait for it to "
                + "finish, or raise lock_timeout."
        case Code.deadlockDetected?:
            return "Two sessions waited for each other and the server stopped this one: run it again."
        case Code.tooManyConnections?:
            return "The server has no free connection slots: close idle clients, lower bench --concurrency, or raise "
                + "max_connections."
        case Code.readOnlySQLTransaction?:
            return "Connect to a server (or a role) that may write — not a standby, not default_transaction_read_only; "
                + "vecscope migrates the schema on connect."
        case Code.diskFull?:
            return "The server's disk is full: free space on it (or drop unused vector indexes), then retry."
        case Code.outOfMemory?:
            return "The server ran out of memory: lower maintenance_work_mem for index builds or --concurrency, "
                + "or give the server more memory."
        case Code.adminShutdown?, Code.cannotConnectNow?:
            return "The server is shutting down or starting up: retry in a moment (`vecscope db status`)."
        default:
            return nil
        }
    }
}

extension Optional where Wrapped == String {
    /// nil for nil or an empty string: optional facts are either there or not.
    fileprivate var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
