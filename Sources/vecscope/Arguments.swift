import ArgumentParser
import VecCore

// VecCore does not depend on ArgumentParser: its enums become flag values here, so `--help` lists the values
// and a bad value's error names the allowed ones.

extension RankingMethod: ExpressibleByArgument {}
extension IterativeScan: ExpressibleByArgument {}
extension ArtifactType: ExpressibleByArgument {}
extension VectorIndexType: ExpressibleByArgument {}
extension VectorQuantization: ExpressibleByArgument {}
extension HybridFusion.Kind: ExpressibleByArgument {}

extension DistanceMetric: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { names }
}

extension ContentType: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { names }
}

/// `index create --table`: the vectors to index, named by what they hold rather than by table.
enum IndexedVectors: String, CaseIterable, ExpressibleByArgument {
    case artifacts, chunks

    var table: VectorTable { self == .artifacts ? .artifactEmbeddings : .chunkEmbeddings }
}

/// How `bench` prints its sweep.
enum ReportFormat: String, CaseIterable, ExpressibleByArgument { case table, csv, json }

/// A comma-separated flag value (`--types project,talk`, `--ef-search 10,40`); every entry must parse.
struct CommaSeparated<Element: ExpressibleByArgument & Sendable>: ExpressibleByArgument, Sendable {
    var values: [Element]

    init(_ values: [Element]) { self.values = values }

    init?(argument: String) {
        var values: [Element] = []
        for entry in argument.split(separator: ",") {
            guard let value = Element(argument: entry.trimmingCharacters(in: .whitespaces)) else { return nil }
            values.append(value)
        }
        self.values = values
    }

    var defaultValueDescription: String { values.map(\.defaultValueDescription).joined(separator: ",") }
    static var allValueStrings: [String] { Element.allValueStrings }
}
