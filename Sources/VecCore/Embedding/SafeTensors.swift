import Foundation

/// A `.safetensors` file, memory-mapped read-only: an 8-byte little-endian header length, a JSON header
/// (`name → {dtype, shape, data_offsets}`), then the raw little-endian tensor data.
///
/// The mapping lives as long as this object or any `FloatTensor` taken from it. The file is never written
/// through the mapping, so the object is immutable after `init` and safe to share between threads.
public final class SafeTensors: @unchecked Sendable {
    /// One header entry, as declared by the file (offsets already checked against the data section).
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let dtype: String
        public let shape: [Int]
        /// Byte range inside the data section (which starts right after the JSON header).
        public let dataOffsets: Range<Int>
    }

    public let path: String
    /// Every tensor in the file by name (`__metadata__` excluded).
    public let entries: [String: Entry]
    /// The free-form `__metadata__` strings, if any.
    public let metadata: [String: String]

    private let base: UnsafeMutableRawPointer
    private let mappedLength: Int
    private let dataStart: Int

    /// Element sizes of the dtypes the format defines; anything else is rejected when the file is opened.
    static let elementSizes: [String: Int] = [
        "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "F8_E4M3": 1, "F8_E5M2": 1,
        "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1,
    ]
    /// The format caps the JSON header at 100 MB; a larger length means a corrupt or foreign file.
    static let maximumHeaderLength = 100_000_000

    public init(contentsOf url: URL) throws {
        let path = url.path
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SafeTensorsError.system(path: path, call: "open", errno: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw SafeTensorsError.system(path: path, call: "fstat", errno: errno)
        }
        let fileSize = Int(status.st_size)
        guard fileSize >= 8 else {
            throw SafeTensorsError.truncated(
                path: path, reason: "the file is \(fileSize) bytes, shorter than the 8-byte header length")
        }
        guard let mapped = mmap(nil, fileSize, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw SafeTensorsError.system(path: path, call: "mmap", errno: errno)
        }
        // From here on the mapping must be released if anything below throws.
        var keep = false
        defer { if !keep { munmap(mapped, fileSize) } }

        var headerLength: UInt64 = 0
        withUnsafeMutableBytes(of: &headerLength) {
            $0.copyMemory(from: UnsafeRawBufferPointer(start: mapped, count: 8))
        }
        headerLength = UInt64(littleEndian: headerLength)
        guard headerLength <= UInt64(Self.maximumHeaderLength), Int(headerLength) <= fileSize - 8 else {
            throw SafeTensorsError.truncated(
                path: path,
                reason: "the header declares \(headerLength) bytes of JSON but only \(fileSize - 8) bytes follow")
        }
        let headerBytes = Data(bytes: mapped + 8, count: Int(headerLength))
        let dataStart = 8 + Int(headerLength)
        let parsed = try Self.parseHeader(headerBytes, path: path, dataSize: fileSize - dataStart)

        self.entries = parsed.entries
        self.metadata = parsed.metadata
        self.base = mapped
        self.mappedLength = fileSize
        self.dataStart = dataStart
        keep = true
    }

    deinit {
        munmap(base, mappedLength)
    }

    /// The F32 tensor `name`, checked against `shape` (pass nil to accept any shape).
    public func tensor(named name: String, shape: [Int]? = nil) throws -> FloatTensor {
        guard let entry = entries[name] else { throw SafeTensorsError.missingTensor(path: path, name: name) }
        guard entry.dtype == "F32" else {
            throw SafeTensorsError.unsupportedDType(path: path, tensor: name, dtype: entry.dtype, expected: "F32")
        }
        if let shape, shape != entry.shape {
            throw SafeTensorsError.shapeMismatch(path: path, tensor: name, expected: shape, found: entry.shape)
        }
        let count = entry.shape.reduce(1, *)
        let start = base + dataStart + entry.dataOffsets.lowerBound
        if Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 {
            let pointer = start.assumingMemoryBound(to: Float.self)
            return FloatTensor(shape: entry.shape, count: count, baseAddress: UnsafePointer(pointer), owner: self)
        }
        // The writers pad the header so tensors are aligned; copy the rare file that is not.
        let copy = FloatStorage(count: count)
        UnsafeMutableRawPointer(copy.pointer).copyMemory(from: start, byteCount: count * MemoryLayout<Float>.size)
        return FloatTensor(shape: entry.shape, count: count, baseAddress: UnsafePointer(copy.pointer), owner: copy)
    }

    private static func parseHeader(
        _ bytes: Data, path: String, dataSize: Int
    ) throws -> (entries: [String: Entry], metadata: [String: String]) {
        let header: [String: HeaderValue]
        do {
            header = try JSONDecoder().decode([String: HeaderValue].self, from: bytes)
        } catch let error as DecodingError {
            throw SafeTensorsError.malformedHeader(path: path, reason: Self.explain(error))
        } catch {
            throw SafeTensorsError.malformedHeader(path: path, reason: "\(error)")
        }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            switch value {
            case let .metadata(strings):
                metadata = strings
            case let .tensor(dtype, shape, offsets):
                guard offsets.count == 2, shape.allSatisfy({ $0 >= 0 }) else {
                    throw SafeTensorsError.malformedHeader(
                        path: path, reason: "tensor \"\(name)\" needs a non-negative shape and two data_offsets")
                }
                guard let elementSize = elementSizes[dtype] else {
                    throw SafeTensorsError.unsupportedDType(path: path, tensor: name, dtype: dtype, expected: nil)
                }
                let begin = offsets[0], end = offsets[1]
                guard begin >= 0, begin <= end, end <= dataSize else {
                    throw SafeTensorsError.dataOutOfBounds(
                        path: path, tensor: name, offsets: offsets, dataSize: dataSize)
                }
                var byteCount = elementSize
                var overflow = false
                for dimension in shape {
                    let product = byteCount.multipliedReportingOverflow(by: dimension)
                    byteCount = product.partialValue
                    overflow = overflow || product.overflow
                }
                guard !overflow, byteCount == end - begin else {
                    throw SafeTensorsError.byteCountMismatch(
                        path: path, tensor: name, dtype: dtype, shape: shape, byteCount: end - begin)
                }
                entries[name] = Entry(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
            }
        }
        return (entries, metadata)
    }

    private static func explain(_ error: DecodingError) -> String {
        func at(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        }
        switch error {
        case let .dataCorrupted(context): return "the header is not valid JSON (\(at(context)))"
        case let .keyNotFound(key, context): return "\(at(context)) lacks \"\(key.stringValue)\""
        case let .typeMismatch(_, context): return at(context)
        case let .valueNotFound(_, context): return at(context)
        @unknown default: return "\(error)"
        }
    }

    /// One value of the JSON header: a tensor entry, or the `__metadata__` string map.
    private enum HeaderValue: Decodable {
        case tensor(dtype: String, shape: [Int], offsets: [Int])
        case metadata([String: String])

        private enum Key: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }

        init(from decoder: any Decoder) throws {
            if decoder.codingPath.last?.stringValue == "__metadata__" {
                self = .metadata(try decoder.singleValueContainer().decode([String: String].self))
                return
            }
            let container = try decoder.container(keyedBy: Key.self)
            self = .tensor(
                dtype: try container.decode(String.self, forKey: .dtype),
                shape: try container.decode([Int].self, forKey: .shape),
                offsets: try container.decode([Int].self, forKey: .dataOffsets))
        }
    }
}

/// An F32 tensor: a read-only view into the file mapping (or into a copy, for misaligned data).
public struct FloatTensor: @unchecked Sendable {
    public let shape: [Int]
    public let count: Int
    /// Valid while `owner` lives; holders of the tensor (the model's weights) keep it alive.
    let baseAddress: UnsafePointer<Float>
    let owner: AnyObject

    /// The elements, row-major; the pointer must not escape `body`.
    public func withUnsafeBufferPointer<Result>(
        _ body: (UnsafeBufferPointer<Float>) throws -> Result
    ) rethrows -> Result {
        try withExtendedLifetime(owner) { try body(UnsafeBufferPointer(start: baseAddress, count: count)) }
    }

    /// A copy of the elements, row-major.
    public var scalars: [Float] { withUnsafeBufferPointer { Array($0) } }
}

/// Owned Float memory, zero-filled, freed with its last reference. Whoever writes to it must not race.
final class FloatStorage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }
}

public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    case system(path: String, call: String, errno: Int32)
    case truncated(path: String, reason: String)
    case malformedHeader(path: String, reason: String)
    /// `expected` is the dtype the caller asked for, or nil when the dtype is not a safetensors dtype at all.
    case unsupportedDType(path: String, tensor: String, dtype: String, expected: String?)
    case dataOutOfBounds(path: String, tensor: String, offsets: [Int], dataSize: Int)
    case byteCountMismatch(path: String, tensor: String, dtype: String, shape: [Int], byteCount: Int)
    case missingTensor(path: String, name: String)
    case shapeMismatch(path: String, tensor: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .system(path, call, code):
            return "\(path): \(call) failed: \(String(cString: strerror(code)))"
        case let .truncated(path, reason):
            return "\(path): truncated safetensors file: \(reason)"
        case let .malformedHeader(path, reason):
            return "\(path): malformed safetensors header: \(reason)"
        case let .unsupportedDType(path, tensor, dtype, expected?):
            return "\(path): tensor \"\(tensor)\" has dtype \(dtype); only \(expected) is supported here"
        case let .unsupportedDType(path, tensor, dtype, nil):
            return "\(path): tensor \"\(tensor)\" has unsupported dtype \"\(dtype)\""
        case let .dataOutOfBounds(path, tensor, offsets, dataSize):
            return "\(path): tensor \"\(tensor)\" data_offsets \(offsets) lie outside the \(dataSize)-byte data section"
        case let .byteCountMismatch(path, tensor, dtype, shape, byteCount):
            return
                "\(path): tensor \"\(tensor)\" (\(dtype) \(shape)) spans \(byteCount) bytes, which does not match its shape"
        case let .missingTensor(path, name):
            return "\(path): no tensor named \"\(name)\""
        case let .shapeMismatch(path, tensor, expected, found):
            return "\(path): tensor \"\(tensor)\" has shape \(found), expected \(expected)"
        }
    }
}

extension SafeTensorsError: ReportableError {
    public var report: ErrorReport {
        let reinstall = "Run `make setup` to install the weights again."
        switch self {
        case let .system(path, call, code):
            return ErrorReport(
                what: "cannot read \(path)", why: "\(call) failed: \(String(cString: strerror(code)))",
                fix: "Check that the file exists and is readable; " + reinstall)
        case let .unsupportedDType(path, tensor, dtype, expected?):
            return ErrorReport(
                what: "\(path): tensor \"\(tensor)\" has dtype \(dtype)",
                why: "only \(expected) is supported here",
                fix: "Use the float32 (F32) weights; " + reinstall)
        case .truncated, .malformedHeader, .unsupportedDType, .dataOutOfBounds, .byteCountMismatch, .missingTensor,
            .shapeMismatch:
            // The file is damaged or is not the model's: the description says what is wrong with it.
            return ErrorReport(what: description, why: nil, fix: reinstall)
        }
    }
}
