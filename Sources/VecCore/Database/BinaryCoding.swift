import Foundation

/// Reads big-endian values from a PostgreSQL binary field, throwing instead of reading past the end.
struct BinaryReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func bytes(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= remaining else {
            throw PostgresError(
                kind: .protocolViolation,
                message: "binary value is shorter than its header says (\(remaining) bytes left, \(count) needed)")
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
        offset += count
        return slice
    }

    /// A NUL-terminated UTF-8 string (tsvector lexemes).
    mutating func cString() throws -> String {
        guard let end = bytes[offset...].firstIndex(of: 0) else {
            throw PostgresError(kind: .protocolViolation, message: "binary string has no terminating NUL")
        }
        let text = String(decoding: try self.bytes(end - offset), as: UTF8.self)
        offset += 1
        return text
    }

    mutating func uint16() throws -> UInt16 { UInt16(bigEndian: try load(UInt16.self)) }
    mutating func int16() throws -> Int16 { Int16(bitPattern: try uint16()) }
    mutating func uint32() throws -> UInt32 { UInt32(bigEndian: try load(UInt32.self)) }
    mutating func int32() throws -> Int32 { Int32(bitPattern: try uint32()) }
    mutating func uint64() throws -> UInt64 { UInt64(bigEndian: try load(UInt64.self)) }
    mutating func int64() throws -> Int64 { Int64(bitPattern: try uint64()) }

    private mutating func load<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let raw = try bytes(MemoryLayout<T>.size)
        return raw.loadUnaligned(as: T.self)
    }

    /// `numeric` in binary: ndigits, weight, sign, dscale, then base-10000 digits.
    mutating func numeric() throws -> Double {
        let digitCount = Int(try int16())
        let weight = Int(try int16())
        let sign = try uint16()
        _ = try int16()  // display scale
        if sign == 0xC000 { return .nan }
        if sign == 0xD000 { return .infinity }
        if sign == 0xF000 { return -.infinity }
        var value = 0.0
        for index in 0..<digitCount {
            let digit = Double(try int16())
            value += digit * pow(10_000.0, Double(weight - index))
        }
        return sign == 0x4000 ? -value : value
    }
}

/// Appends big-endian values for PostgreSQL's binary formats (parameters and COPY).
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(contentsOf raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

    static func bigEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}
