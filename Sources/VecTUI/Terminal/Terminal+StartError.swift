import VecCore

extension Terminal.StartError: ReportableError {
    public var report: ErrorReport { ErrorReport(what: description, fix: fix) }
}
