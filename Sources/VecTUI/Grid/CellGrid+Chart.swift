import Foundation

/// A small scatter/line chart, e.g. recall (y) against p95 latency (x) across a parameter sweep.
public struct Chart: Equatable, Sendable {
    /// One plotted point with an optional one-word label (e.g. "ef=40").
    public struct Point: Equatable, Sendable {
        public var x: Double
        public var y: Double
        public var label: String?
        public init(x: Double, y: Double, label: String? = nil) {
            self.x = x
            self.y = y
            self.label = label
        }
    }

    public var points: [Point]
    /// The point standing for the current setting, drawn distinctly.
    public var marked: Int?
    public var xLabel: String
    public var yLabel: String
    /// Fixed axis ranges; nil fits the data.
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    /// Connect consecutive points (in x order) with a dotted line.
    public var connect: Bool

    public init(
        points: [Point], marked: Int? = nil, xLabel: String = "", yLabel: String = "",
        xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil, connect: Bool = true
    ) {
        self.points = points
        self.marked = marked
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xRange = xRange
        self.yRange = yRange
        self.connect = connect
    }
}

extension CellGrid {
    /// Draws `chart` inside `rect`: y labels on the left, an L-shaped axis, x labels underneath.
    /// Areas too small for axes get the points alone; empty areas get nothing.
    public mutating func chart(_ chart: Chart, in rect: Rect) {
        let area = rect.intersection(bounds)
        guard !area.isEmpty else { return }
        let finite = chart.points.filter { $0.x.isFinite && $0.y.isFinite }
        let xs = finite.map(\.x), ys = finite.map(\.y)
        let xRange = chart.xRange ?? Self.range(xs)
        let yRange = chart.yRange ?? Self.range(ys)

        let yTop = Self.tick(yRange.upperBound), yBottom = Self.tick(yRange.lowerBound)
        let labelWidth = max(DisplayWidth.of(yTop), DisplayWidth.of(yBottom))
        let withAxes = area.width >= labelWidth + 6 && area.height >= 4
        var plot = area
        if withAxes {
            plot = Rect(
                x: area.x + labelWidth + 1, y: area.y, width: area.width - labelWidth - 1, height: area.height - 2)
            let axisStyle = CellStyle.fg(.border)
            let labelStyle = CellStyle.fg(.muted)
            for y in plot.y..<plot.maxY { put("│", x: plot.x - 1, y: y, style: axisStyle) }
            put("└", x: plot.x - 1, y: plot.maxY, style: axisStyle)
            for x in plot.x..<plot.maxX { put("─", x: x, y: plot.maxY, style: axisStyle) }
            text(
                DisplayWidth.pad(yTop, to: labelWidth, alignRight: true), at: .init(x: area.x, y: plot.y),
                style: labelStyle, clip: area)
            text(
                DisplayWidth.pad(yBottom, to: labelWidth, alignRight: true), at: .init(x: area.x, y: plot.maxY - 1),
                style: labelStyle, clip: area)
            let labelRow = Rect(x: plot.x - 1, y: plot.maxY + 1, width: plot.width + 1, height: 1)
            text(Self.tick(xRange.lowerBound), in: labelRow, style: labelStyle)
            text(Self.tick(xRange.upperBound), in: labelRow, style: labelStyle, alignment: .right)
            if !chart.xLabel.isEmpty {
                text(chart.xLabel, in: labelRow.inset(dx: 6, dy: 0), style: labelStyle, alignment: .center)
            }
            if !chart.yLabel.isEmpty, plot.height >= 3 {
                text(chart.yLabel, at: .init(x: plot.x + 1, y: plot.y), style: labelStyle, clip: plot)
            }
        }
        guard !plot.isEmpty, !finite.isEmpty else { return }

        func column(_ x: Double) -> Int {
            let span = xRange.upperBound - xRange.lowerBound
            let t = span > 0 ? (x - xRange.lowerBound) / span : 0.5
            return plot.x + Int((min(max(t, 0), 1) * Double(plot.width - 1)).rounded())
        }
        func row(_ y: Double) -> Int {
            let span = yRange.upperBound - yRange.lowerBound
            let t = span > 0 ? (y - yRange.lowerBound) / span : 0.5
            return plot.maxY - 1 - Int((min(max(t, 0), 1) * Double(plot.height - 1)).rounded())
        }

        if chart.connect, finite.count > 1 {
            let sorted = finite.sorted { $0.x < $1.x }
            for (a, b) in zip(sorted, sorted.dropFirst()) {
                let x0 = column(a.x), x1 = column(b.x)
                guard x1 > x0 + 1 else { continue }
                for x in (x0 + 1)..<x1 {
                    let t = Double(x - x0) / Double(x1 - x0)
                    put("·", x: x, y: row(a.y + t * (b.y - a.y)), style: .fg(.muted), clip: plot)
                }
            }
        }
        for (index, point) in chart.points.enumerated()
        where point.x.isFinite && point.y.isFinite && index != chart.marked {
            put("●", x: column(point.x), y: row(point.y), style: .fg(.accent), clip: plot)
        }
        if let marked = chart.marked, chart.points.indices.contains(marked) {
            let point = chart.points[marked]
            if point.x.isFinite && point.y.isFinite {
                let x = column(point.x), y = row(point.y)
                put("◆", x: x, y: y, style: CellStyle(foreground: .good, bold: true), clip: plot)
                if let label = point.label {
                    // Right of the mark when it fits, else left of it; the padding space hides the line underneath.
                    let width = DisplayWidth.of(label) + 1
                    let fitsRight = x + 1 + width <= plot.maxX
                    let shown = fitsRight ? " " + label : label + " "
                    let lx = fitsRight ? x + 1 : x - width
                    text(shown, at: .init(x: lx, y: y), style: CellStyle(foreground: .good, bold: true), clip: plot)
                }
            }
        }
    }

    private static func range(_ values: [Double]) -> ClosedRange<Double> {
        guard let low = values.min(), let high = values.max() else { return 0...1 }
        return low == high ? (low - 0.5)...(high + 0.5) : low...high
    }

    /// A short axis label: two decimals under 10, whole numbers above.
    static func tick(_ value: Double) -> String {
        guard value.isFinite else { return "?" }
        return abs(value) < 10 ? String(format: "%.2f", value) : String(format: "%.0f", value)
    }
}
