/// An error from PostgreSQL or from talking to it, keeping the server's SQLSTATE, message, detail and hint.
public struct PostgresError: Error, CustomStringConvertible, CustomDebugStringConvertible, Sendable, Equatable {
    /// A SQLSTATE code, with names for the ones vecscope reacts to.
    public struct Code: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }

        public static let uniqueViolation: Code = "23505"
        public static let foreignKeyViolation: Code = "23503"
        public static let checkViolation: Code = "23514"
        public static let notNullViolation: Code = "23502"
        public static let syntaxError: Code = "42601"
        public static let undefinedTable: Code = "42P01"
        public static let undefinedColumn: Code = "42703"
        public static let undefinedFunction: Code = "42883"
        public static let undefinedObject: Code = "42704"
        public static let queryCanceled: Code = "57014"
        public static let readOnlySQLTransaction: Code = "25006"
        public static let lockNotAvailable: Code = "55P03"
        public static let tooManyConnections: Code = "53300"
        public static let diskFull: Code = "53100"
        public static let outOfMemory: Code = "53200"
        public static let cannotConnectNow: Code = "57P03"
        public static let deadlockDetected: Code = "40P01"
        public static let adminShutdown: Code = "57P01"
        public static let featureNotSupported: Code = "0A000"
        public static let invalidStatementName: Code = "26000"
        public static let undefinedFile: Code = "58P01"
        public static let invalidTextRepresentation: Code = "22P02"
        public static let dataException: Code = "22000"
        public static let characterNotInRepertoire: Code = "22021"
        public static let insufficientPrivilege: Code = "42501"
        public static let invalidCatalogName: Code = "3D000"
        public static let duplicateDatabase: Code = "42P04"
        public static let connectionFailure: Code = "08006"
        public static let clientCannotConnect: Code = "08001"
    }

    /// What part of the exchange failed.
    public enum Kind: String, Sendable {
        case connection  // could not connect, or the connection broke
        case server  // the server reported an error for a statement
        case decoding  // a value could not be decoded into the Swift type asked for
        case encoding  // a value could not be sent (vecscope refused it before the server saw it)
        case protocolViolation
    }

    public var kind: Kind
    public var code: Code?
    public var message: String
    public var detail: String?
    public var hint: String?
    /// The statement that failed (never its parameters, which may hold user data).
    public var statement: String?
    /// What vecscope was doing, e.g. "searching with all-MiniLM-L6-v2 (semantic)"; set by `during`.
    public var context: String?

    public init(
        kind: Kind, code: Code? = nil, message: String, detail: String? = nil, hint: String? = nil,
        statement: String? = nil
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.detail = detail
        self.hint = hint
        self.statement = statement
    }

    public var description: String {
        var text = message
        if let code { text += " (SQLSTATE \(code))" }
        if let detail, !detail.isEmpty { text += "\nDetail: \(detail)" }
        if let hint, !hint.isEmpty { text += "\nHint: \(hint)" }
        return text
    }

    public var debugDescription: String {
        var text = "PostgresError(\(kind.rawValue)): " + description
        if let statement { text += "\nStatement: \(statement)" }
        return text
    }

    /// Runs `body`, naming what it does in any database error that comes out of it without a context yet.
    public static func during<T>(_ context: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as PostgresError where error.context == nil {
            error.context = context()
            throw error
        }
    }

    static func decoding(_ message: String) -> PostgresError {
        PostgresError(kind: .decoding, message: message)
    }
}
