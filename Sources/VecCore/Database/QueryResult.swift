import CLibPQ
import Foundation

/// The rows of one statement; owns the libpq `PGresult` and frees it in `deinit`.
public final class QueryResult {
    private let handle: OpaquePointer
    public let statement: String
    let vectorTypes: VectorTypeOIDs?
    public let rowCount: Int
    public let columnCount: Int
    /// Rows affected by INSERT/UPDATE/DELETE/COPY (0 for other statements).
    public let affectedRows: Int
    public let columnNames: [String]
    /// Each column's position by name, for `Row.decode(_:)` (a search decodes 20 columns by name per row).
    let columnIndex: [String: Int]

    init(_ handle: OpaquePointer, statement: String, vectorTypes: VectorTypeOIDs?, connection: Connection) throws {
        if let error = Self.error(from: handle, statement: statement) {
            PQclear(handle)
            throw error
        }
        self.handle = handle
        self.statement = statement
        // A statement that created the extension leaves no OIDs cached yet; look them up lazily below.
        self.vectorTypes = vectorTypes
        rowCount = Int(PQntuples(handle))
        columnCount = Int(PQnfields(handle))
        affectedRows = Int(String(cString: PQcmdTuples(handle))) ?? 0
        columnNames = (0..<columnCount).map { String(cString: PQfname(handle, Int32($0))) }
        // The first of a repeated name, as a scan would find it.
        columnIndex = Dictionary(columnNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        if vectorTypes == nil, (0..<columnCount).contains(where: { PQftype(handle, Int32($0)) >= 16384 }) {
            resolvedVectorTypes = try connection.vectorTypeOIDs()
        } else {
            resolvedVectorTypes = vectorTypes
        }
    }

    private var resolvedVectorTypes: VectorTypeOIDs?

    deinit { PQclear(handle) }

    public var rows: [Row] { (0..<rowCount).map { Row(result: self, index: $0) } }

    public func row(_ index: Int) -> Row { Row(result: self, index: index) }

    func cell(row: Int, column: Int) -> PostgresCell {
        let isNull = PQgetisnull(handle, Int32(row), Int32(column)) == 1
        let bytes: UnsafeRawBufferPointer? =
            isNull
            ? nil
            : {
                let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
                let pointer = PQgetvalue(handle, Int32(row), Int32(column))
                return UnsafeRawBufferPointer(start: UnsafeRawPointer(pointer), count: length)
            }()
        return PostgresCell(
            oid: UInt32(PQftype(handle, Int32(column))), column: columnNames[column],
            bytes: bytes, vectorTypes: resolvedVectorTypes)
    }

    /// The server's error in a result, or nil when the statement succeeded.
    static func error(from result: OpaquePointer, statement: String) -> PostgresError? {
        let status = PQresultStatus(result)
        guard status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR || status == PGRES_BAD_RESPONSE else {
            return nil
        }
        func field(_ code: Int32) -> String? {
            guard let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        let message = field(CLibPQ_DIAG_MESSAGE_PRIMARY) ?? Connection.trimmed(PQresultErrorMessage(result))
        let code = field(CLibPQ_DIAG_SQLSTATE).map(PostgresError.Code.init(rawValue:))
        let kind: PostgresError.Kind = code == nil ? .connection : .server
        return PostgresError(
            kind: kind, code: code, message: message, detail: field(CLibPQ_DIAG_MESSAGE_DETAIL),
            hint: field(CLibPQ_DIAG_MESSAGE_HINT), statement: statement)
    }
}

/// One row of a `QueryResult`; decode fields by position or name into any `PostgresDecodable` type.
public struct Row {
    let result: QueryResult
    public let index: Int

    public func decode<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws -> T {
        guard column >= 0, column < result.columnCount else {
            throw PostgresError.decoding("column \(column) is out of range (\(result.columnCount) columns)")
        }
        return try T.decode(result.cell(row: index, column: column))
    }

    public func decode<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let column = result.columnIndex[name] else {
            throw PostgresError.decoding(
                "no column named \"\(name)\" (have: \(result.columnNames.joined(separator: ", ")))")
        }
        return try decode(column, as: type)
    }

    public func isNull(_ column: Int) -> Bool { result.cell(row: index, column: column).bytes == nil }
}

extension QueryResult {
    /// The first column of the first row, or nil when there are no rows.
    public func scalar<T: PostgresDecodable>(_ type: T.Type = T.self) throws -> T? {
        guard rowCount > 0 else { return nil }
        return try row(0).decode(0, as: type)
    }
}
