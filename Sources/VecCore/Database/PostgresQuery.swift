/// One SQL statement and its bound parameters, written as a string literal with interpolations:
///
///     let query: PostgresQuery = "SELECT id FROM users WHERE external_id = \(externalID)"
///     // sql: "SELECT id FROM users WHERE external_id = $1", binds: [externalID]
///
/// Every interpolated value becomes a placeholder (`$1`, `$2`, … in order of appearance) and is bound, never
/// spliced. Text that is not a value enters only three ways: the literal's own (static) text, a `SQLFragment`
/// (`\(sql: .distanceOperator(metric))`), or another query (`\(filters)`), whose placeholders are renumbered.
/// A `PostgresParameter` interpolated several times is bound once and keeps one placeholder.
public struct PostgresQuery: ExpressibleByStringInterpolation {
    /// The SQL between placeholders, one more than `placeholders`; `sql` is them joined by `$n`.
    private var texts: [String] = [""]
    /// For each placeholder in order, the index of its parameter (a shared parameter can appear several times).
    private var placeholders: [Int] = []
    private var parameters: [Bound] = []
    /// The statement text with numbered placeholders, as the server receives it: kept as the query is built, since a
    /// search reads it twice per execution (its prepared-statement key and the libpq call).
    public private(set) var sql = ""

    /// A value with, for a shared parameter, the instance it came from, so a second use finds its placeholder.
    private struct Bound {
        var value: any PostgresEncodable
        var shared: PostgresParameter?
    }

    public init() {}

    public init(stringLiteral value: StaticString) {
        texts = [value.description]
        sql = texts[0]
    }

    public init(stringInterpolation: StringInterpolation) {
        self = stringInterpolation.query
    }

    public var isEmpty: Bool { placeholders.isEmpty && texts[0].isEmpty }

    /// The values for `$1`, `$2`, …, in order.
    public var binds: [any PostgresEncodable] { parameters.map(\.value) }

    /// Appends `other`, renumbering its placeholders after this query's (shared parameters keep theirs).
    public mutating func append(_ other: PostgresQuery) {
        appendText(other.texts[0])
        for (parameter, text) in zip(other.placeholders, other.texts.dropFirst()) {
            appendPlaceholder(for: other.parameters[parameter])
            appendText(text)
        }
    }

    public static func + (lhs: PostgresQuery, rhs: PostgresQuery) -> PostgresQuery {
        var query = lhs
        query.append(rhs)
        return query
    }

    public static func += (lhs: inout PostgresQuery, rhs: PostgresQuery) { lhs.append(rhs) }

    private mutating func appendText(_ text: String) {
        texts[texts.count - 1] += text
        sql += text
    }

    /// A placeholder for `parameter`: a new number, or the one a shared parameter already has here.
    private mutating func appendPlaceholder(for parameter: Bound) {
        if let shared = parameter.shared, let existing = parameters.firstIndex(where: { $0.shared === shared }) {
            placeholders.append(existing)
        } else {
            parameters.append(parameter)
            placeholders.append(parameters.count - 1)
        }
        texts.append("")
        sql += "$" + String(placeholders[placeholders.count - 1] + 1)
    }

    /// The same statement with `parameter`'s value replaced by `value` wherever it is used: a statement built once
    /// for its shape is sent again with another vector.
    public func rebinding(_ parameter: PostgresParameter, to value: any PostgresEncodable) -> PostgresQuery {
        var query = self
        for index in query.parameters.indices where query.parameters[index].shared === parameter {
            query.parameters[index].value = value
        }
        return query
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var query = PostgresQuery()

        public init(literalCapacity: Int, interpolationCount: Int) {}

        /// The literal's own text: static source text, never a runtime value.
        public mutating func appendLiteral(_ literal: StaticString) {
            query.appendText(literal.description)
        }

        /// A value, bound as the next parameter.
        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            query.appendPlaceholder(for: Bound(value: value, shared: nil))
        }

        /// A value bound once for the whole statement, however often it is interpolated.
        public mutating func appendInterpolation(_ parameter: PostgresParameter) {
            query.appendPlaceholder(for: Bound(value: parameter.value, shared: parameter))
        }

        /// SQL text that is not a value: an operator, a cast, a keyword, from `SQLFragment`'s allow-list.
        public mutating func appendInterpolation(sql fragment: SQLFragment) {
            query.appendText(fragment.text)
        }

        /// A sub-statement or clause, its placeholders renumbered to follow this query's.
        public mutating func appendInterpolation(_ other: PostgresQuery) {
            query.append(other)
        }
    }
}

extension [PostgresQuery] {
    /// The queries one after another with `separator` between them (`UNION ALL`, a CTE list), placeholders in order.
    public func joined(separator: PostgresQuery) -> PostgresQuery {
        var query = PostgresQuery()
        for (index, part) in enumerated() {
            if index > 0 { query += separator }
            query += part
        }
        return query
    }
}

/// A value bound once however many times a statement uses it: `\(vector)` three times is `$1` three times, and
/// the vector crosses the wire once.
public final class PostgresParameter {
    public let value: any PostgresEncodable

    public init(_ value: any PostgresEncodable) { self.value = value }
}

/// SQL text spliced verbatim into a `PostgresQuery`. It can only be made from static source text or from the
/// fixed vocabularies below (enums, validated registry values, integers), never from free runtime text.
public struct SQLFragment: Sendable, Equatable, ExpressibleByStringLiteral {
    let text: String

    public init(stringLiteral text: StaticString) { self.text = text.description }

    private init(trusted text: String) { self.text = text }

    /// `<=>`, `<->` or `<#>`.
    public static func distanceOperator(_ metric: DistanceMetric) -> SQLFragment {
        SQLFragment(trusted: metric.sqlOperator)
    }

    /// The cast the model's queries and indexes use, e.g. `::vector(384)` or `::halfvec(3072)`: an expression index
    /// serves a statement only when it carries the same cast.
    static func vectorCast(_ model: EmbeddingModel) -> SQLFragment {
        SQLFragment(trusted: "::\(model.storage.rawValue)(\(model.dimensions))")
    }

    /// The expression a variant's index is built on and its searches order by: `embedding_vector::vector(384)` (as
    /// `vectorCast`), `embedding_vector::halfvec(384)` or `binary_quantize(embedding_vector)::bit(384)`. `column` is
    /// the column as the statement names it (`embedding_vector`, `e.embedding_vector`).
    static func indexedVector(
        _ model: EmbeddingModel, _ quantization: VectorQuantization, column: SQLFragment
    )
        -> SQLFragment
    {
        switch quantization {
        case .none: return SQLFragment(trusted: column.text + vectorCast(model).text)
        case .halfvec: return SQLFragment(trusted: "\(column.text)::halfvec(\(model.dimensions))")
        case .bit: return SQLFragment(trusted: "binary_quantize(\(column.text))::bit(\(model.dimensions))")
        }
    }

    /// A variant's ordering operator: the metric's, or Hamming distance (`<~>`) for bits.
    static func orderingOperator(_ metric: DistanceMetric, _ quantization: VectorQuantization) -> SQLFragment {
        quantization == .bit ? SQLFragment(trusted: "<~>") : distanceOperator(metric)
    }

    /// The model's name as a quoted literal, for `model_version = '…'`. A bound `$n` would be correct too, but the
    /// planner uses a partial index (`WHERE model_version = '…'`, see `VectorIndexSpec`) only when it can prove
    /// the predicate while planning, and with a generic plan it cannot. Names are checked by
    /// `EmbeddingModel.validateName` (letters, digits, `-_.:/`) and quotes are doubled all the same.
    static func modelNameLiteral(_ model: EmbeddingModel) -> SQLFragment {
        SQLFragment(
            trusted: "'"
                + (model.name.contains("'") ? model.name.replacingOccurrences(of: "'", with: "''") : model.name)
                + "'")
    }

    /// An integer, for a constant the planner should see (a LIMIT inside a CTE).
    public static func integer(_ value: Int) -> SQLFragment { SQLFragment(trusted: String(value)) }

    /// A comment naming the plan-relevant knobs (`/* planned under ef_search 40, … */`): a statement prepared under a
    /// generic plan is then a different statement for every knob combination, each planned under its own values.
    static func plannedUnder(_ params: SearchParams) -> SQLFragment {
        SQLFragment(
            trusted:
                "/* planned under ef_search \(params.efSearch), iterative_scan \(params.iterativeScan.rawValue), "
                + "max_scan_tuples \(params.maxScanTuples), probes \(params.probes) */ ")
    }

    /// A vector table's name, from the fixed enum.
    static func table(_ table: VectorTable) -> SQLFragment { SQLFragment(trusted: table.rawValue) }

    /// The text, for DDL, which takes no bound parameters and runs through `Connection.executeScript`.
    var ddlText: String { text }
}
