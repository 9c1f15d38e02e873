/// A failure a user can act on: what happened, why, and what to do about it.
public struct VecscopeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Whose mistake it was, for faces that answer by category (the HTTP API's status codes); the CLI and the TUI
    /// show every kind alike.
    public enum Kind: String, Sendable {
        /// Anything not below: a failure of vecscope or of what it depends on.
        case failure
        /// The request itself is wrong (a knob out of range, an empty query, an unknown model); resend it changed.
        case invalidInput
        /// What the request names does not exist (or is not the caller's to see).
        case notFound
        /// The caller may not do this.
        case forbidden
    }

    public var what: String
    public var why: String?
    public var fix: String?
    public var kind: Kind

    public init(what: String, why: String? = nil, fix: String? = nil, kind: Kind = .failure) {
        self.what = what
        self.why = why
        self.fix = fix
        self.kind = kind
    }

    public var description: String {
        var text = what
        if let why, !why.isEmpty { text += ": \(why)" }
        if let fix, !fix.isEmpty { text += "\n→ \(fix)" }
        return text
    }
}
