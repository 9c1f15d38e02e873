import Foundation
import VecCore

/// The set-up screen: what is being prepared and why, the finished steps, and a live bar for the current one.
enum SetupView {
    static func draw(_ state: AppState, _ setup: SetupModel, into grid: inout CellGrid) {
        let screen = grid.bounds
        let (main, message) = screen.splitBottom(1)
        let focus = CellStyle(foreground: .focus, bold: true)
        let inner = grid.box(
            main, title: "vecscope — getting the database ready", style: focus, titleStyle: focus,
            rightTitle: [Span(" \(state.connectionTarget) ", .fg(.muted))])
        MessageView.draw(state, in: message, into: &grid)
        let area = inner.inset(dx: 2, dy: 1)
        guard area.width >= 20, area.height >= 4 else { return }
        var lines: [[Span]] = []
        let plan = setup.plan
        let muted = CellStyle.fg(.muted)
        if plan.loadsFixtures {
            lines += TextWrap.wrap(
                [
                    Span(
                        "First run: the database holds no artifacts, so vecscope loads the demo fixtures "
                            + "(Fixtures/) and embeds them with \(plan.model). This happens once; later starts skip what is current."
                    )
                ],
                width: area.width)
        } else {
            lines += TextWrap.wrap(
                [
                    Span("\(plan.artifactsToEmbed) artifacts", CellStyle(bold: true)),
                    Span(
                        " have no current \(plan.model) vector (new or changed since they were embedded). "
                            + "Searches only find artifacts that have one"
                            + (setup.phase == .asking ? "." : ", so vecscope embeds them now.")),
                ], width: area.width)
            if setup.phase == .asking {
                lines.append([])
                lines.append([
                    Span("Enter", CellStyle(foreground: .accent, bold: true)), Span(" embeds them now, ", muted),
                    Span("Esc", CellStyle(foreground: .accent, bold: true)),
                    Span(" skips to the explorer (`vecscope embed` does it later), ", muted),
                    Span("q", CellStyle(foreground: .accent, bold: true)), Span(" quits.", muted),
                ])
            }
        }
        lines.append([])
        for step in setup.finishedSteps {
            lines.append([Span("✔ ", CellStyle(foreground: .good, bold: true)), Span(step)])
        }
        var y = area.y
        for line in lines where y < area.maxY {
            grid.spans(line, at: Point(x: area.x, y: y), clip: area.row(y - area.y))
            y += 1
        }
        guard y + 1 < area.maxY else { return }
        switch setup.phase {
        case .asking:
            break
        case .running:
            drawRunning(state, setup, in: Rect(x: area.x, y: y, width: area.width, height: 2), into: &grid)
            if y + 3 < area.maxY {
                grid.text(
                    "q quits at any time: every finished batch is stored, and the next start carries on.",
                    in: area.row(y + 3 - area.y), style: muted)
            }
        case .failed(let reason):
            let wrapped = TextWrap.wrap("✖ " + reason, width: area.width)
            for (offset, line) in wrapped.enumerated() where y + offset < area.maxY {
                grid.text(line, in: area.row(y + offset - area.y), style: CellStyle(foreground: .bad, bold: true))
            }
            let next = y + wrapped.count + 1
            if next < area.maxY {
                grid.text(
                    "Enter retries · Esc skips to the explorer · q quits", in: area.row(next - area.y), style: muted)
            }
        }
    }

    /// Two rows: the step with a spinner and elapsed time, then a bar with counts, rate and time left.
    static func drawRunning(_ state: AppState, _ setup: SetupModel, in rect: Rect, into grid: inout CellGrid) {
        let elapsed = max(0, state.now - setup.startedAt)
        let step =
            setup.progress?.step.rawValue
            ?? (setup.plan.loadsFixtures ? DemoSetup.Step.loading.rawValue : DemoSetup.Step.embedding.rawValue)
        grid.spans(
            [
                Span("\(Format.spinnerFrame(now: state.now)) ", CellStyle(foreground: .accent, bold: true)),
                Span(step, CellStyle(bold: true)),
                Span(String(format: " · %.0fs elapsed", elapsed), .fg(.muted)),
            ],
            at: Point(x: rect.x, y: rect.y), clip: rect.row(0))
        guard rect.height >= 2, let progress = setup.progress, progress.total > 0 else { return }
        let row = rect.row(1)
        let unit: String
        switch progress.step {
        case .loading: unit = "records"
        case .grading: unit = "files"
        case .preparing: unit = "artifacts"
        case .embedding: unit = "texts"
        }
        let tail = Format.progressTail(
            done: progress.done, total: progress.total, unit: unit,
            seconds: state.now - setup.stepStartedAt)
        let barWidth = max(0, min(50, row.width - DisplayWidth.of(tail)))
        grid.horizontalBar(
            Double(progress.done) / Double(progress.total), in: Rect(x: row.x, y: row.y, width: barWidth, height: 1))
        grid.text(tail, at: Point(x: row.x + barWidth, y: row.y), clip: row)
    }
}
