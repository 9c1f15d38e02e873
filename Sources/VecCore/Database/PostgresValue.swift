import Foundation

/// Well-known built-in type OIDs (pg_type.dat); pgvector's types are looked up per database.
public enum PostgresType {
    public static let bool: UInt32 = 16
    public static let bytea: UInt32 = 17
    public static let char: UInt32 = 18
    public static let name: UInt32 = 19
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let oid: UInt32 = 26
    public static let json: UInt32 = 114
    public static let float4: UInt32 = 700
    public static let float8: UInt32 = 701
    public static let unknown: UInt32 = 705
    public static let bpchar: UInt32 = 1042
    public static let varchar: UInt32 = 1043
    public static let date: UInt32 = 1082
    public static let timestamp: UInt32 = 1114
    public static let timestamptz: UInt32 = 1184
    public static let numeric: UInt32 = 1700
    public static let uuid: UInt32 = 2950
    public static let jsonb: UInt32 = 3802
    public static let textArray: UInt32 = 1009
    public static let varcharArray: UInt32 = 1015
    public static let int4Array: UInt32 = 1007
    public static let int8Array: UInt32 = 1016
    public static let float4Array: UInt32 = 1021
    public static let float8Array: UInt32 = 1022
    public static let regclass: UInt32 = 2205
}

/// One bound parameter as it goes on the wire.
public enum PostgresBind: Sendable, Equatable {
    case null
    /// Text format; OID 0 lets the server infer the type from the statement.
    case text(String, oid: UInt32 = 0)
    case binary([UInt8], oid: UInt32)
    /// A pgvector value, encoded in binary once the database's type OID is known.
    case vector(Vector)
    case halfvec(HalfVector)
}

/// A Swift value that can be bound as a statement parameter.
public protocol PostgresEncodable {
    var postgresBind: PostgresBind { get }
}

extension String: PostgresEncodable { public var postgresBind: PostgresBind { .text(self) } }
extension Substring: PostgresEncodable { public var postgresBind: PostgresBind { .text(String(self)) } }
extension Int: PostgresEncodable { public var postgresBind: PostgresBind { .text(String(self)) } }
extension Int32: PostgresEncodable { public var postgresBind: PostgresBind { .text(String(self)) } }
extension Int64: PostgresEncodable { public var postgresBind: PostgresBind { .text(String(self)) } }
extension Bool: PostgresEncodable { public var postgresBind: PostgresBind { .text(self ? "true" : "false") } }
extension UUID: PostgresEncodable { public var postgresBind: PostgresBind { .text(uuidString) } }
extension Double: PostgresEncodable {
    public var postgresBind: PostgresBind {
        if isNaN { return .text("NaN") }
        if isInfinite { return .text(self > 0 ? "Infinity" : "-Infinity") }
        return .text("\(self)")
    }
}
extension Float: PostgresEncodable { public var postgresBind: PostgresBind { Double(self).postgresBind } }
extension Date: PostgresEncodable {
    public var postgresBind: PostgresBind {
        // Microseconds since the PostgreSQL epoch, in timestamptz's binary format: exact, no time-zone parsing.
        let micros = Int64((timeIntervalSince1970 - PostgresCell.postgresEpochOffset) * 1_000_000)
        return .binary(BinaryWriter.bigEndianBytes(micros), oid: PostgresType.timestamptz)
    }
}
extension Data: PostgresEncodable {
    public var postgresBind: PostgresBind { .binary([UInt8](self), oid: PostgresType.bytea) }
}
extension Array: PostgresEncodable where Element == String {
    /// A text[] literal with every element quoted, so commas, braces and quotes survive.
    public var postgresBind: PostgresBind {
        let quoted = map { element -> String in
            // Most elements (content types, ids) have nothing to escape, and Foundation's replace is not cheap.
            guard element.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") }) else {
                return "\"\(element)\""
            }
            let escaped = element.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        }
        return .text("{" + quoted.joined(separator: ",") + "}", oid: PostgresType.textArray)
    }
}
extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresBind: PostgresBind {
        switch self {
        case .none: return .null
        case .some(let value): return value.postgresBind
        }
    }
}
extension Vector: PostgresEncodable { public var postgresBind: PostgresBind { .vector(self) } }
extension HalfVector: PostgresEncodable { public var postgresBind: PostgresBind { .halfvec(self) } }

/// JSON text bound as `jsonb`.
public struct JSONB: PostgresEncodable, Sendable, Equatable {
    public let text: String
    public init(text: String) { self.text = text }
    public init(_ object: Any) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        self.text = String(decoding: data, as: UTF8.self)
    }
    public var postgresBind: PostgresBind { .text(text, oid: PostgresType.jsonb) }
}

/// One field of a result row, in binary format.
public struct PostgresCell {
    public let oid: UInt32
    public let column: String
    /// nil for SQL NULL.
    public let bytes: UnsafeRawBufferPointer?
    /// pgvector's OIDs in the database the row came from, when known.
    public let vectorTypes: VectorTypeOIDs?

    public init(oid: UInt32, column: String, bytes: UnsafeRawBufferPointer?, vectorTypes: VectorTypeOIDs? = nil) {
        self.oid = oid
        self.column = column
        self.bytes = bytes
        self.vectorTypes = vectorTypes
    }

    /// Seconds from 1970-01-01 to 2000-01-01, the epoch of PostgreSQL's binary dates.
    static let postgresEpochOffset: TimeInterval = 946_684_800

    func mismatch(_ swiftType: String) -> PostgresError {
        .decoding(
            "column \"\(column)\" has type OID \(oid), which cannot be decoded as \(swiftType); cast it in the query")
    }

    func requireBytes(_ swiftType: String) throws -> UnsafeRawBufferPointer {
        guard let bytes else {
            throw PostgresError.decoding("column \"\(column)\" is NULL but \(swiftType) was expected")
        }
        return bytes
    }
}

/// A Swift type that can be read from a binary result field.
public protocol PostgresDecodable {
    static func decode(_ cell: PostgresCell) throws -> Self
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Self {
        cell.bytes == nil ? nil : try Wrapped.decode(cell)
    }
}

extension Int: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Int {
        let bytes = try cell.requireBytes("Int")
        var reader = BinaryReader(bytes)
        switch cell.oid {
        case PostgresType.int2: return Int(try reader.int16())
        case PostgresType.int4: return Int(try reader.int32())
        case PostgresType.oid: return Int(try reader.uint32())
        case PostgresType.int8: return Int(try reader.int64())
        case PostgresType.numeric:
            let value = try Double.decode(cell)
            guard value.rounded() == value, abs(value) < 9.0e18 else { throw cell.mismatch("Int") }
            return Int(value)
        default: throw cell.mismatch("Int")
        }
    }
}

extension Int64: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Int64 { Int64(try Int.decode(cell)) }
}

extension Int32: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Int32 {
        let value = try Int.decode(cell)
        guard let narrowed = Int32(exactly: value) else { throw cell.mismatch("Int32") }
        return narrowed
    }
}

extension Double: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Double {
        let bytes = try cell.requireBytes("Double")
        var reader = BinaryReader(bytes)
        switch cell.oid {
        case PostgresType.float8: return Double(bitPattern: try reader.uint64())
        case PostgresType.float4: return Double(Float(bitPattern: try reader.uint32()))
        case PostgresType.int2, PostgresType.int4, PostgresType.int8: return Double(try Int.decode(cell))
        case PostgresType.numeric: return try reader.numeric()
        default: throw cell.mismatch("Double")
        }
    }
}

extension Float: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Float { Float(try Double.decode(cell)) }
}

extension Bool: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Bool {
        let bytes = try cell.requireBytes("Bool")
        guard cell.oid == PostgresType.bool, bytes.count == 1 else { throw cell.mismatch("Bool") }
        return bytes[0] != 0
    }
}

extension String: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> String {
        let bytes = try cell.requireBytes("String")
        switch cell.oid {
        case PostgresType.text, PostgresType.varchar, PostgresType.bpchar, PostgresType.name, PostgresType.json,
            PostgresType.char, PostgresType.unknown:
            return String(decoding: bytes, as: UTF8.self)
        case PostgresType.jsonb:
            guard bytes.first == 1 else { throw cell.mismatch("String (jsonb version)") }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[1...]), as: UTF8.self)
        case PostgresType.uuid:
            return try UUID.decode(cell).uuidString.lowercased()
        case PostgresType.int2, PostgresType.int4, PostgresType.int8, PostgresType.oid:
            return String(try Int.decode(cell))
        case PostgresType.float4, PostgresType.float8, PostgresType.numeric:
            return String(try Double.decode(cell))
        case PostgresType.bool:
            return try Bool.decode(cell) ? "true" : "false"
        default:
            throw cell.mismatch("String")
        }
    }
}

extension UUID: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> UUID {
        let bytes = try cell.requireBytes("UUID")
        guard cell.oid == PostgresType.uuid, bytes.count == 16 else { throw cell.mismatch("UUID") }
        let b = [UInt8](bytes)
        return UUID(
            uuid: (
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]
            ))
    }
}

extension Date: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Date {
        let bytes = try cell.requireBytes("Date")
        var reader = BinaryReader(bytes)
        switch cell.oid {
        case PostgresType.timestamptz, PostgresType.timestamp:
            let micros = try reader.int64()
            return Date(timeIntervalSince1970: PostgresCell.postgresEpochOffset + Double(micros) / 1_000_000)
        case PostgresType.date:
            let days = try reader.int32()
            return Date(timeIntervalSince1970: PostgresCell.postgresEpochOffset + Double(days) * 86_400)
        default: throw cell.mismatch("Date")
        }
    }
}

extension Data: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Data {
        let bytes = try cell.requireBytes("Data")
        guard cell.oid == PostgresType.bytea else { throw cell.mismatch("Data") }
        return Data(bytes)
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> [Element] {
        let bytes = try cell.requireBytes("Array")
        var reader = BinaryReader(bytes)
        let dimensions = try reader.int32()
        _ = try reader.int32()  // has-nulls flag
        let elementOID = try reader.uint32()
        if dimensions == 0 { return [] }
        guard dimensions == 1 else { throw cell.mismatch("a one-dimensional array") }
        let count = Int(try reader.int32())
        _ = try reader.int32()  // lower bound
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            let length = Int(try reader.int32())
            if length < 0 {
                elements.append(
                    try Element.decode(
                        PostgresCell(oid: elementOID, column: cell.column, bytes: nil, vectorTypes: cell.vectorTypes)))
            } else {
                let slice = try reader.bytes(length)
                elements.append(
                    try Element.decode(
                        PostgresCell(oid: elementOID, column: cell.column, bytes: slice, vectorTypes: cell.vectorTypes))
                )
            }
        }
        return elements
    }
}
