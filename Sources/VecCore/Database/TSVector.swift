import Foundation

/// A `tsvector` as its binary form sends it (`tsvectorsend`): each lexeme with the weight of each of its positions.
struct TSVector: PostgresDecodable, Equatable {
    /// A lexeme and its positions' weights in position order: 3 = A, 2 = B, 1 = C, 0 = D (`WEP_GETWEIGHT`).
    struct Entry: Equatable {
        var lexeme: String
        var weights: [UInt8]
    }

    var entries: [Entry]

    static let oid: UInt32 = 3614

    static func decode(_ cell: PostgresCell) throws -> TSVector {
        let bytes = try cell.requireBytes("TSVector")
        guard cell.oid == oid else { throw cell.mismatch("TSVector") }
        var reader = BinaryReader(bytes)
        let count = Int(try reader.int32())
        var entries: [Entry] = []
        entries.reserveCapacity(max(count, 0))
        for _ in 0..<max(count, 0) {
            let lexeme = try reader.cString()
            let positions = Int(try reader.uint16())
            var weights: [UInt8] = []
            weights.reserveCapacity(positions)
            for _ in 0..<positions { weights.append(UInt8(try reader.uint16() >> 14)) }
            entries.append(Entry(lexeme: lexeme, weights: weights))
        }
        return TSVector(entries: entries)
    }
}
