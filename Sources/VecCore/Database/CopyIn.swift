import Foundation

/// Writes rows to a running `COPY … FROM STDIN (FORMAT binary)`; buffers and sends in large chunks.
public final class CopyInWriter {
    private let connection: Connection
    private let statement: String
    private var buffer = BinaryWriter(capacity: 1 << 20)
    private var finished = false
    private let flushThreshold = 1 << 20

    /// The binary COPY signature, flags and header-extension length.
    private static let header: [UInt8] =
        Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]

    init(connection: Connection, statement: String) {
        self.connection = connection
        self.statement = statement
        buffer.append(contentsOf: Self.header)
    }

    deinit {
        // A writer dropped without finish() aborts its COPY rather than leave the connection in copy mode.
        if !finished { _ = try? connection.endCopy(error: "copy abandoned by client", statement: statement) }
    }

    /// One field of a binary COPY row.
    public enum Field {
        case null
        case text(String)
        case int32(Int32)
        case int64(Int64)
        case float64(Double)
        case bool(Bool)
        case uuid(UUID)
        case timestamptz(Date)
        case jsonb(String)
        case vector(Vector)
        case halfvec(HalfVector)
    }

    public func writeRow(_ fields: [Field]) throws {
        buffer.append(Int16(fields.count))
        for field in fields { append(field) }
        if buffer.bytes.count >= flushThreshold { try flush() }
    }

    /// Ends the COPY and returns the number of rows the server stored.
    @discardableResult
    public func finish() throws -> Int {
        buffer.append(Int16(-1))
        try flush()
        finished = true
        return try connection.endCopy(error: nil, statement: statement)
    }

    private func flush() throws {
        guard !buffer.bytes.isEmpty else { return }
        try connection.putCopyData(buffer.bytes, statement: statement)
        buffer = BinaryWriter(capacity: flushThreshold + 65_536)
    }

    private func append(_ field: Field) {
        func withLength(_ bytes: [UInt8]) {
            buffer.append(Int32(bytes.count))
            buffer.append(contentsOf: bytes)
        }
        switch field {
        case .null: buffer.append(Int32(-1))
        case .text(let text): withLength(Array(text.utf8))
        case .int32(let value): buffer.append(Int32(4)); buffer.append(value)
        case .int64(let value): buffer.append(Int32(8)); buffer.append(value)
        case .float64(let value): buffer.append(Int32(8)); buffer.append(value.bitPattern)
        case .bool(let value): buffer.append(Int32(1)); buffer.append(UInt8(value ? 1 : 0))
        case .uuid(let value): withUnsafeBytes(of: value.uuid) { withLength(Array($0)) }
        case .timestamptz(let date):
            let micros = Int64((date.timeIntervalSince1970 - PostgresCell.postgresEpochOffset) * 1_000_000)
            buffer.append(Int32(8)); buffer.append(micros)
        case .jsonb(let text): withLength([1] + Array(text.utf8))
        case .vector(let vector): withLength(VectorCodec.encode(vector))
        case .halfvec(let vector): withLength(VectorCodec.encode(vector))
        }
    }
}
