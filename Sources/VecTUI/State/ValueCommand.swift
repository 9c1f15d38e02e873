import VecCore

/// The `:` prompt's language: one knob and its value, typed instead of stepped (`:ef 64`, `:user u07`,
/// `:limit 30`). Parsing is pure; the reducer applies the result to the side the parameter keys edit.
public enum ValueCommand: Equatable, Sendable {
    case params(SearchParams, summary: String)
    /// The k of nDCG@k and P@k.
    case ndcgK(Int)

    /// What the prompt accepts, for its hint line and for errors.
    public static let usage = "ef 64 · probes 4 · limit 30 · k 20 · user u07|name|all · model NAME · method hybrid"

    /// Parses `text` against the current parameters; a failure says what was wrong and what is accepted.
    public static func parse(
        _ text: String, params: SearchParams, choices: ParameterChoices
    ) -> Result<ValueCommand, TUIError> {
        let words = text.split(separator: " ", maxSplits: 1).map(String.init)
        guard let name = words.first?.lowercased() else { return failure("type a knob and a value", text) }
        let value = words.count > 1 ? words[1].trimmingWhitespace() : ""
        guard !value.isEmpty else { return failure("no value for \(name)", text) }
        var p = params
        switch name {
        case "ef", "ef_search", "efsearch":
            guard let n = Int(value) else { return failure("ef_search takes a number", text) }
            p.efSearch = n
        case "probes":
            guard let n = Int(value) else { return failure("probes takes a number", text) }
            p.probes = n
        case "limit":
            guard let n = Int(value) else { return failure("limit takes a number", text) }
            p.limit = n
        case "k", "ndcg":
            guard let n = Int(value), (1...1000).contains(n) else { return failure("k takes a number 1…1000", text) }
            return .success(.ndcgK(n))
        case "user", "users":
            switch UserMatch.find(value, in: choices) {
            case .success(let scope): p.userScope = scope
            case .failure(let error): return .failure(error)
            }
        case "model":
            let matches = choices.models.filter { $0.lowercased().hasPrefix(value.lowercased()) }
            guard let model = matches.count == 1 ? matches[0] : choices.models.first(where: { $0 == value }) else {
                return failure(
                    "no single model starts with “\(value)” (\(choices.models.joined(separator: ", ")))", text)
            }
            p.model = model
        case "method":
            guard let method = RankingMethod.allCases.first(where: { $0.rawValue.hasPrefix(value.lowercased()) }) else {
                return failure("method is semantic, keyword or hybrid", text)
            }
            p.method = method
        default:
            return failure("unknown knob “\(name)”", text)
        }
        do {
            try p.validate()
        } catch {
            return .failure(TUIError(error))
        }
        return .success(.params(p, summary: "\(name) \(value)"))
    }

    private static func failure(_ what: String, _ text: String) -> Result<ValueCommand, TUIError> {
        .failure(TUIError(report: ErrorReport(what: "“:\(text)”: \(what)", fix: "Type e.g. " + usage)))
    }
}

/// Finds a user by what was typed: `all`, an exact id, else the users whose id or name contain every typed word
/// (case-insensitive) — one match is taken, several are listed.
public enum UserMatch {
    public static func find(_ typed: String, in choices: ParameterChoices) -> Result<UserScope, TUIError> {
        let query = typed.lowercased()
        if query == "all" { return .success(.all) }
        if choices.users.contains(typed) { return .success(.user(typed)) }
        let matches = candidates(typed, in: choices)
        if matches.count == 1 { return .success(.user(matches[0])) }
        let what =
            matches.isEmpty
            ? "no user matches “\(typed)”"
            : "“\(typed)” matches \(matches.count) users: "
                + matches.prefix(5).map { label($0, choices) }.joined(separator: ", ")
                + (matches.count > 5 ? ", …" : "")
        return .failure(TUIError(report: ErrorReport(what: what, fix: "Type more of the id or name, or all.")))
    }

    /// Users whose id or name contain every word typed, best first (id prefix matches before the rest).
    public static func candidates(_ typed: String, in choices: ParameterChoices) -> [String] {
        let words = typed.lowercased().split(separator: " ")
        let matches = choices.users.filter { id in
            let haystack = (id + " " + (choices.userNames[id] ?? "")).lowercased()
            return words.allSatisfy { haystack.contains($0) }
        }
        let query = typed.lowercased()
        return matches.filter { $0.lowercased().hasPrefix(query) }
            + matches.filter { !$0.lowercased().hasPrefix(query) }
    }

    /// "u07 Ada Lovelace", or the id alone.
    public static func label(_ id: String, _ choices: ParameterChoices) -> String {
        choices.userNames[id].map { "\(id) \($0)" } ?? id
    }
}
