import Foundation

/// The JSON of every response body (`--json` today, the HTTP API later): sorted keys so scripts and diffs see a
/// stable shape, `/` unescaped so paths and URLs read as written.
public enum JSONText {
    public static func encode(_ value: some Encodable, pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty
            ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension Double {
    /// NaN marks a score that was not computed (no vector for the model); JSON has no NaN, so it is `null`.
    var nilIfNaN: Double? { isNaN ? nil : self }
}
