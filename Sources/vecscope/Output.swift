import Foundation
import VecCore

extension JSONText {
    /// Untyped JSON, left only for `bench-suite` until its output has response bodies in VecCore.
    static func encode(_ object: Any) throws -> String {
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: options), as: UTF8.self)
    }
}

/// A progress bar with counts and rate on a terminal; a few plain lines otherwise (logs, CI).
final class ProgressBar {
    private let label: String
    private let unit: String
    private let enabled: Bool
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let started = Date()
    private var lastDraw = Date.distantPast
    private var lastPlainPercent = -1
    private var drewSomething = false

    init(label: String, unit: String, enabled: Bool = true) {
        self.label = label
        self.unit = unit
        self.enabled = enabled
    }

    func update(done: Int, total: Int) {
        guard enabled else { return }
        let now = Date()
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        if isTerminal {
            guard done == total || now.timeIntervalSince(lastDraw) > 0.08 else { return }
            lastDraw = now
            let width = 30
            let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let eta = rate > 0 && total > done ? String(format: " eta %.0fs", Double(total - done) / rate) : ""
            let line = String(format: "\r%@ %@ %d/%d %@ %.1f/s%@\u{1B}[K", label, bar, done, total, unit, rate, eta)
            FileHandle.standardError.write(Data(line.utf8))
            drewSomething = true
        } else {
            // Quiet lines at each quarter, so logs show progress without flooding.
            let percent = total > 0 ? done * 100 / total : 100
            let step = percent / 25 * 25
            guard step > lastPlainPercent else { return }
            lastPlainPercent = step
            FileHandle.standardError.write(
                Data(String(format: "%@: %d/%d %@ (%.1f/s)\n", label, done, total, unit, rate).utf8))
        }
    }

    func finish() {
        if enabled, isTerminal, drewSomething { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// Columns padded to their widest cell, two spaces apart (String(format:)'s `%-20@` does not pad on Linux).
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
