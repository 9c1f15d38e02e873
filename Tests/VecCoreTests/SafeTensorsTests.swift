import Foundation
import Testing

@testable import VecCore

@Suite final class SafeTensorsTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes a file: 8-byte little-endian header length, the JSON header, then `data`.
    func write(header: String, data: [UInt8] = [], name: String = "t.safetensors") throws -> URL {
        var bytes = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array(header.utf8))
        bytes.append(contentsOf: data)
        let url = directory.appendingPathComponent(name)
        try bytes.write(to: url)
        return url
    }

    static func bytes(of floats: [Float]) -> [UInt8] {
        floats.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    @Test func readsFloat32TensorsByName() throws {
        let url = try write(
            header:
                #"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"F32","shape":[],"data_offsets":[24,28]}}"#,
            data: Self.bytes(of: [1, 2, 3, 4, 5, 6, 7]))
        let file = try SafeTensors(contentsOf: url)
        #expect(file.metadata == ["format": "pt"])
        let w = try file.tensor(named: "w", shape: [2, 3])
        #expect(w.scalars == [1, 2, 3, 4, 5, 6])
        #expect(try file.tensor(named: "b").scalars == [7])
    }

    @Test func misalignedDataIsCopied() throws {
        // Pad the header so the data starts one byte past a multiple of 4.
        var header = #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        while (8 + header.utf8.count) % 4 != 1 { header += " " }
        let url = try write(header: header, data: Self.bytes(of: [3.5, -1]))
        #expect(try SafeTensors(contentsOf: url).tensor(named: "x").scalars == [3.5, -1])
    }

    @Test func aWrongShapeNamesTheTensorAndBothShapes() throws {
        let url = try write(
            header: #"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}"#, data: Array(repeating: 0, count: 24))
        let file = try SafeTensors(contentsOf: url)
        let error = #expect(
            throws: SafeTensorsError.shapeMismatch(path: url.path, tensor: "w", expected: [3, 2], found: [2, 3])
        ) {
            try file.tensor(named: "w", shape: [3, 2])
        }
        #expect(error?.description == "\(url.path): tensor \"w\" has shape [2, 3], expected [3, 2]")
        #expect(throws: SafeTensorsError.missingTensor(path: url.path, name: "v")) { try file.tensor(named: "v") }
    }

    @Test func aTruncatedFileIsRejected() throws {
        let tiny = directory.appendingPathComponent("tiny.safetensors")
        try Data([1, 2, 3]).write(to: tiny)
        #expect(throws: SafeTensorsError.self) { try SafeTensors(contentsOf: tiny) }

        // The header claims more JSON than the file holds.
        var claimsTooMuch = Data()
        withUnsafeBytes(of: UInt64(4096).littleEndian) { claimsTooMuch.append(contentsOf: $0) }
        claimsTooMuch.append(contentsOf: Array("{}".utf8))
        let short = directory.appendingPathComponent("short.safetensors")
        try claimsTooMuch.write(to: short)
        let error = #expect(throws: SafeTensorsError.self) { try SafeTensors(contentsOf: short) }
        #expect(error?.description.contains("truncated") == true)

        // The data section ends before the tensor does.
        let cut = try write(
            header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: Array(repeating: 0, count: 8),
            name: "cut.safetensors")
        #expect(throws: SafeTensorsError.dataOutOfBounds(path: cut.path, tensor: "w", offsets: [0, 16], dataSize: 8)) {
            try SafeTensors(contentsOf: cut)
        }
    }

    @Test func unsupportedDTypesAreRejectedWithTheirName() throws {
        let half = try write(
            header: #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0],
            name: "half.safetensors")
        let file = try SafeTensors(contentsOf: half)
        let error = #expect(
            throws: SafeTensorsError.unsupportedDType(path: half.path, tensor: "h", dtype: "F16", expected: "F32")
        ) {
            try file.tensor(named: "h")
        }
        #expect(error?.description == "\(half.path): tensor \"h\" has dtype F16; only F32 is supported here")

        let unknown = try write(
            header: #"{"q":{"dtype":"Q4_K","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0],
            name: "q.safetensors")
        #expect(
            throws: SafeTensorsError.unsupportedDType(path: unknown.path, tensor: "q", dtype: "Q4_K", expected: nil)
        ) {
            try SafeTensors(contentsOf: unknown)
        }
    }

    @Test func inconsistentOrMalformedHeadersAreRejected() throws {
        let mismatch = try write(
            header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8),
            name: "m.safetensors")
        #expect(
            throws: SafeTensorsError.byteCountMismatch(
                path: mismatch.path, tensor: "w", dtype: "F32", shape: [3], byteCount: 8)
        ) {
            try SafeTensors(contentsOf: mismatch)
        }
        let notJSON = try write(header: "{not json", name: "j.safetensors")
        #expect(throws: SafeTensorsError.self) { try SafeTensors(contentsOf: notJSON) }
        let noOffsets = try write(
            header: #"{"w":{"dtype":"F32","shape":[1]}}"#, data: [0, 0, 0, 0], name: "o.safetensors")
        let error = #expect(throws: SafeTensorsError.self) { try SafeTensors(contentsOf: noOffsets) }
        #expect(error?.description.contains("data_offsets") == true)
        let negative = try write(
            header: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0],
            name: "n.safetensors")
        #expect(throws: SafeTensorsError.self) { try SafeTensors(contentsOf: negative) }
    }

    @Test func theInstalledModelFileParses() throws {
        let url = VecscopeHome.resolve().miniLMModel.appendingPathComponent("model.safetensors")
        let file = try SafeTensors(contentsOf: url)
        #expect(file.entries.count == 104)
        #expect(try file.tensor(named: "embeddings.word_embeddings.weight", shape: [30522, 384]).count == 30522 * 384)
        #expect(
            throws: SafeTensorsError.unsupportedDType(
                path: url.path, tensor: "embeddings.position_ids", dtype: "I64", expected: "F32")
        ) {
            try file.tensor(named: "embeddings.position_ids")
        }
    }
}
