import Foundation

/// A pgvector `vector`: single-precision components.
public struct Vector: Sendable, Equatable, Hashable {
    public var values: [Float]
    public init(_ values: [Float]) { self.values = values }
    public var dimensions: Int { values.count }
}

/// A pgvector `halfvec`: half-precision components (how models above 2,000 dimensions are indexed).
public struct HalfVector: Sendable, Equatable, Hashable {
    public var values: [Float16]
    public init(_ values: [Float16]) { self.values = values }
    public init(rounding values: [Float]) { self.values = values.map { Float16($0) } }
    public var dimensions: Int { values.count }
    public var floats: [Float] { values.map { Float($0) } }
}

/// pgvector's binary wire format: int16 dimensions, int16 unused (0), then each component big-endian.
public enum VectorCodec {
    /// pgvector's limits on a stored value.
    public static let maxVectorDimensions = 16_000
    public static let maxHalfVectorDimensions = 16_000

    public static func encode(_ vector: Vector) -> [UInt8] { encode(vector.values, bits: \.bitPattern) }

    public static func encode(_ vector: HalfVector) -> [UInt8] { encode(vector.values, bits: \.bitPattern) }

    /// The header, then each component's bits big-endian, written in place: appending 4 bytes at a time cost more
    /// than the rest of encoding a search's parameters.
    private static func encode<Component, Bits: FixedWidthInteger>(
        _ components: [Component], bits: (Component) -> Bits
    ) -> [UInt8] {
        let width = MemoryLayout<Bits>.size
        return [UInt8](unsafeUninitializedCapacity: 4 + width * components.count) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.storeBytes(of: UInt16(components.count).bigEndian, toByteOffset: 0, as: UInt16.self)
            raw.storeBytes(of: UInt16(0), toByteOffset: 2, as: UInt16.self)
            for (index, component) in components.enumerated() {
                raw.storeBytes(of: bits(component).bigEndian, toByteOffset: 4 + width * index, as: Bits.self)
            }
            count = raw.count
        }
    }

    public static func decodeVector(_ bytes: UnsafeRawBufferPointer) throws -> Vector {
        var reader = BinaryReader(bytes)
        let dimensions = Int(try reader.uint16())
        _ = try reader.uint16()
        guard reader.remaining == dimensions * 4 else {
            throw PostgresError(
                kind: .protocolViolation,
                message:
                    "vector of \(dimensions) dimensions has \(reader.remaining) bytes of data, expected \(dimensions * 4)"
            )
        }
        var values = [Float](repeating: 0, count: dimensions)
        for index in 0..<dimensions { values[index] = Float(bitPattern: try reader.uint32()) }
        return Vector(values)
    }

    public static func decodeHalfVector(_ bytes: UnsafeRawBufferPointer) throws -> HalfVector {
        var reader = BinaryReader(bytes)
        let dimensions = Int(try reader.uint16())
        _ = try reader.uint16()
        guard reader.remaining == dimensions * 2 else {
            throw PostgresError(
                kind: .protocolViolation,
                message:
                    "halfvec of \(dimensions) dimensions has \(reader.remaining) bytes of data, expected \(dimensions * 2)"
            )
        }
        var values = [Float16](repeating: 0, count: dimensions)
        for index in 0..<dimensions { values[index] = Float16(bitPattern: try reader.uint16()) }
        return HalfVector(values)
    }
}

/// The OIDs pgvector's types got in one database (they are created by CREATE EXTENSION, so not fixed).
public struct VectorTypeOIDs: Sendable, Equatable {
    public var vector: UInt32
    public var halfvec: UInt32?
}

extension Vector: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Vector {
        let bytes = try cell.requireBytes("Vector")
        // A halfvec column read as Vector widens; any other type is refused by the length check.
        if let halfOID = cell.vectorTypes?.halfvec, cell.oid == halfOID {
            return Vector(try VectorCodec.decodeHalfVector(bytes).floats)
        }
        guard cell.oid == cell.vectorTypes?.vector else { throw cell.mismatch("Vector") }
        return try VectorCodec.decodeVector(bytes)
    }
}

extension HalfVector: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> HalfVector {
        let bytes = try cell.requireBytes("HalfVector")
        guard let halfOID = cell.vectorTypes?.halfvec, cell.oid == halfOID else { throw cell.mismatch("HalfVector") }
        return try VectorCodec.decodeHalfVector(bytes)
    }
}
