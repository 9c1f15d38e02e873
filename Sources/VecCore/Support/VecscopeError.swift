/// A failure a user can act on: what happened, why, and what to do about it.
public struct VecscopeError: Error, CustomStringConvertible, Sendable, Equatable {
    public var what: String
    public var why: String?
    public var fix: String?

    public init(what: String, why: String? = nil, fix: String? = nil) {
        self.what = what
        self.why = why
        self.fix = fix
    }

    public var description: String {
        var text = what
        if let why, !why.isEmpty { text += ": \(why)" }
        if let fix, !fix.isEmpty { text += "\n→ \(fix)" }
        return text
    }
}
