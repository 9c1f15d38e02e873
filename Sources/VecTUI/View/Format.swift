import Foundation

/// Number and text formats shared by the views, so a score reads the same everywhere.
enum Format {
    /// A score in 0…1 (or a distance): three decimals.
    static func score(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.3f", value)
    }

    /// A fused relevance score: small values (RRF ≈ 0.016…0.033) get four decimals; BM25 (keyword ranking), which
    /// has no upper bound, fewer as it grows, so it keeps to the column.
    static func relevance(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if abs(value) >= 10 { return bm25(value) }
        return abs(value) < 0.1 && value != 0 ? String(format: "%.4f", value) : String(format: "%.3f", value)
    }

    /// An Okapi BM25 score (0 up to a few hundred): "7.42", "93.2", "1204".
    static func bm25(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        if abs(value) >= 1000 { return String(format: "%.0f", value) }
        if abs(value) >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.2f", value)
    }

    /// A latency in ms: "0.42 ms", "12.3 ms", "1.25 s".
    static func milliseconds(_ ms: Double?) -> String {
        guard let ms, ms.isFinite else { return "–" }
        if ms >= 1000 { return String(format: "%.2f s", ms / 1000) }
        if ms >= 10 { return String(format: "%.1f ms", ms) }
        return String(format: "%.2f ms", ms)
    }

    /// A ratio as two decimals, or "…" while being computed.
    static func ratio(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "…" }
        return String(format: "%.2f", value)
    }

    /// Braille spinner frames for the busy indicator.
    static let spinner: [Character] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    static func spinnerFrame(now: Double) -> Character {
        let index = Int((now * 10).rounded(.down)) % spinner.count
        return spinner[max(0, index)]
    }

    /// The artifact type as a short column value.
    static func type(_ raw: String) -> String {
        switch raw {
        case "work_experience": return "work"
        case "open_source": return "oss"
        case "certification": return "cert"
        case "publication": return "paper"
        case "education": return "edu"
        default: return raw
        }
    }

    /// " 200/987 texts · 20.0/s · ~39s left": counts, then rate and time left once `seconds` of work give a rate.
    static func progressTail(done: Int, total: Int, unit: String, seconds: Double) -> String {
        var tail = " \(done)/\(total) \(unit)"
        guard done > 0, seconds >= 0.5 else { return tail }
        let rate = Double(done) / seconds
        tail += String(format: rate >= 100 ? " · %.0f/s" : " · %.1f/s", rate)
        let remaining = Double(total - done) / rate
        if remaining >= 1 {
            tail +=
                remaining >= 90
                ? String(format: " · ~%.0f min left", remaining / 60) : String(format: " · ~%.0fs left", remaining)
        }
        return tail
    }

    /// A text bar of `width` cells for a fraction (eighth-cell precision).
    static func bar(_ fraction: Double, width: Int) -> String {
        guard width > 0 else { return "" }
        let clamped = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        let eighths = Int((clamped * Double(width * 8)).rounded())
        let partials: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        var text = String(repeating: "█", count: eighths / 8)
        if eighths % 8 > 0 { text.append(partials[eighths % 8 - 1]) }
        return text + String(repeating: "·", count: max(0, width - DisplayWidth.of(text)))
    }
}

/// Splits text into spans, highlighting words that match query terms (PostgreSQL lexemes are stems, so a word
/// matches when it starts with a term: "developer" matches "develop").
enum Highlighter {
    static func spans(_ text: String, terms: [String], base: CellStyle, highlight: CellStyle) -> [Span] {
        let needles = terms.map { $0.lowercased() }.filter { $0.count >= 2 }
        guard !needles.isEmpty else { return [Span(text, base)] }
        var spans: [Span] = []
        var word = ""
        var other = ""
        func flushWord() {
            guard !word.isEmpty else { return }
            let lower = word.lowercased()
            let hit = needles.contains { lower.hasPrefix($0) }
            append(word, hit ? highlight : base)
            word = ""
        }
        func flushOther() {
            guard !other.isEmpty else { return }
            append(other, base)
            other = ""
        }
        func append(_ text: String, _ style: CellStyle) {
            if let last = spans.last, last.style == style {
                spans[spans.count - 1].text += text
            } else {
                spans.append(Span(text, style))
            }
        }
        for character in text {
            if character.isLetter || character.isNumber {
                flushOther()
                word.append(character)
            } else {
                flushWord()
                other.append(character)
            }
        }
        flushWord()
        flushOther()
        return spans
    }
}
